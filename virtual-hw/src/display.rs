//! Monochrome panel images: snapshots, PNG, ASCII previews, assertions and golden files.
//!
//! A display model ([`Ssd1306`](crate::devices::Ssd1306)) renders what its *panel* shows as
//! an [`Image`]; so does a [`Canvas`], the embedded-graphics `DrawTarget` for firmware that
//! draws without a controller model.
//!
//! ## Golden files
//!
//! [`Image::assert_golden`] compares with a PNG kept in the repository. On a mismatch it
//! writes `<name>.actual.png` and `<name>.diff.png` (red: lit only now; blue: lit only in the
//! golden) beside the golden and fails with the count and the first differing pixel. Run the
//! test with `FWSIM_BLESS=1` to (re)write the goldens from the current images instead.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};

use embedded_graphics_core::Pixel;
use embedded_graphics_core::draw_target::DrawTarget;
use embedded_graphics_core::geometry::{OriginDimensions, Size};
use embedded_graphics_core::pixelcolor::BinaryColor;

/// A monochrome image: `true` is a lit pixel.
#[derive(Clone, PartialEq, Eq)]
pub struct Image {
    width: usize,
    height: usize,
    pixels: Vec<bool>,
}

impl Image {
    /// An all-dark image.
    pub fn new(width: usize, height: usize) -> Self {
        Image { width, height, pixels: vec![false; width * height] }
    }

    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.height
    }

    /// Whether pixel (`x`, `y`) is lit (x rightwards, y downwards from the top left).
    pub fn pixel(&self, x: usize, y: usize) -> bool {
        self.pixels[y * self.width + x]
    }

    /// Lights or darkens pixel (`x`, `y`).
    pub fn set(&mut self, x: usize, y: usize, lit: bool) {
        self.pixels[y * self.width + x] = lit;
    }

    /// Lit pixels in the `w`×`h` region at (`x`, `y`).
    pub fn lit_in(&self, x: usize, y: usize, w: usize, h: usize) -> usize {
        (y..(y + h).min(self.height))
            .map(|yy| (x..(x + w).min(self.width)).filter(|&xx| self.pixel(xx, yy)).count())
            .sum()
    }

    /// Lit pixels in the whole image.
    pub fn lit(&self) -> usize {
        self.pixels.iter().filter(|p| **p).count()
    }

    /// The smallest rectangle holding every lit pixel: (x, y, w, h), or `None` if dark.
    pub fn bounding_box(&self) -> Option<(usize, usize, usize, usize)> {
        let mut b: Option<(usize, usize, usize, usize)> = None;
        for y in 0..self.height {
            for x in 0..self.width {
                if self.pixel(x, y) {
                    b = Some(match b {
                        None => (x, y, x, y),
                        Some((x0, y0, x1, y1)) => (x0.min(x), y0.min(y), x1.max(x), y1.max(y)),
                    });
                }
            }
        }
        b.map(|(x0, y0, x1, y1)| (x0, y0, x1 - x0 + 1, y1 - y0 + 1))
    }

    /// A terminal preview: two pixel rows per text line with half blocks (`▀`, `▄`, `█`).
    pub fn ascii(&self) -> String {
        let mut s = String::new();
        for y in (0..self.height).step_by(2) {
            for x in 0..self.width {
                let top = self.pixel(x, y);
                let bottom = y + 1 < self.height && self.pixel(x, y + 1);
                s.push(match (top, bottom) {
                    (false, false) => ' ',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    (true, true) => '█',
                });
            }
            let _ = writeln!(s);
        }
        s
    }

    /// Writes the image as an 8-bit grayscale PNG (lit = white).
    pub fn write_png(&self, path: &Path) -> std::io::Result<()> {
        let gray: Vec<u8> = self.pixels.iter().map(|&p| if p { 255 } else { 0 }).collect();
        write_png(path, self.width, self.height, png::ColorType::Grayscale, &gray)
    }

    /// Reads a PNG written by [`write_png`](Image::write_png) (any PNG: a pixel is lit if its
    /// first channel is at least half on).
    pub fn read_png(path: &Path) -> std::io::Result<Image> {
        let decoder = png::Decoder::new(BufReader::new(File::open(path)?));
        let mut reader = decoder.read_info().map_err(std::io::Error::other)?;
        let mut buf = vec![0; reader.output_buffer_size().unwrap_or(0)];
        let info = reader.next_frame(&mut buf).map_err(std::io::Error::other)?;
        if info.bit_depth != png::BitDepth::Eight {
            return Err(std::io::Error::other(format!("{}: expected an 8-bit PNG", path.display())));
        }
        let channels = info.color_type.samples();
        let (w, h) = (info.width as usize, info.height as usize);
        let mut image = Image::new(w, h);
        for y in 0..h {
            for x in 0..w {
                image.set(x, y, buf[y * info.line_size + x * channels] >= 128);
            }
        }
        Ok(image)
    }

    /// Compares with the golden PNG at `path` and panics on a mismatch; with `FWSIM_BLESS=1`
    /// in the environment, writes the golden instead. See the [module docs](self).
    #[track_caller]
    pub fn assert_golden(&self, path: impl AsRef<Path>) {
        let bless = std::env::var_os("FWSIM_BLESS").is_some_and(|v| v == "1");
        if let Err(message) = self.check_golden(path.as_ref(), bless) {
            panic!("{message}");
        }
    }

    /// [`assert_golden`](Image::assert_golden) without the environment and the panic: blesses
    /// if `bless`, else compares; a mismatch writes the actual and diff images and returns
    /// the failure message.
    pub fn check_golden(&self, path: &Path, bless: bool) -> Result<(), String> {
        if bless {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| format!("fwsim-hw: cannot create {}: {e}", dir.display()))?;
            }
            return self.write_png(path).map_err(|e| format!("fwsim-hw: cannot write golden {}: {e}", path.display()));
        }
        let golden = Image::read_png(path).map_err(|e| {
            format!(
                "fwsim-hw: cannot read golden {}: {e}\nRun the test with FWSIM_BLESS=1 to write it from this image:\n{}",
                path.display(),
                self.ascii()
            )
        })?;
        if golden == *self {
            return Ok(());
        }
        let actual = sibling(path, "actual.png");
        let diff = sibling(path, "diff.png");
        let _ = self.write_png(&actual);
        if golden.width != self.width || golden.height != self.height {
            return Err(format!(
                "fwsim-hw: image is {}x{}, golden {} is {}x{}; wrote {}",
                self.width,
                self.height,
                path.display(),
                golden.width,
                golden.height,
                actual.display()
            ));
        }
        let mut rgb = Vec::with_capacity(self.pixels.len() * 3);
        let mut differing = 0;
        let mut first = None;
        for (i, (&a, &g)) in self.pixels.iter().zip(&golden.pixels).enumerate() {
            rgb.extend_from_slice(match (a, g) {
                (true, true) => &[255, 255, 255],
                (false, false) => &[0, 0, 0],
                (true, false) => &[255, 0, 0],
                (false, true) => &[0, 80, 255],
            });
            if a != g {
                differing += 1;
                first.get_or_insert((i % self.width, i / self.width));
            }
        }
        let _ = write_png(&diff, self.width, self.height, png::ColorType::Rgb, &rgb);
        let (x, y) = first.expect("images differ");
        Err(format!(
            "fwsim-hw: {differing} pixel(s) differ from golden {} (first at x={x}, y={y}); wrote {} and {}.\n\
             Run with FWSIM_BLESS=1 if the new image is right.\nNow:\n{}",
            path.display(),
            actual.display(),
            diff.display(),
            self.ascii()
        ))
    }
}

impl std::fmt::Debug for Image {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "Image {}x{}:", self.width, self.height)?;
        f.write_str(&self.ascii())
    }
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!("{stem}.{suffix}"))
}

fn write_png(path: &Path, w: usize, h: usize, color: png::ColorType, data: &[u8]) -> std::io::Result<()> {
    let mut encoder = png::Encoder::new(BufWriter::new(File::create(path)?), w as u32, h as u32);
    encoder.set_color(color);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(std::io::Error::other)?;
    writer.write_image_data(data).map_err(std::io::Error::other)?;
    writer.finish().map_err(std::io::Error::other)
}

/// A monochrome display without a controller: an embedded-graphics `DrawTarget` whose
/// [`image`](Canvas::image) is the panel.
///
/// ```
/// use embedded_graphics::{pixelcolor::BinaryColor, prelude::*, primitives::{PrimitiveStyle, Rectangle}};
/// use fwsim_hw::display::Canvas;
///
/// let mut canvas = Canvas::new(32, 16);
/// Rectangle::new(Point::new(2, 2), Size::new(4, 3))
///     .into_styled(PrimitiveStyle::with_fill(BinaryColor::On))
///     .draw(&mut canvas)
///     .unwrap();
/// assert_eq!(canvas.image().bounding_box(), Some((2, 2, 4, 3)));
/// ```
pub struct Canvas {
    image: Image,
}

impl Canvas {
    /// A dark `width`×`height` canvas.
    pub fn new(width: usize, height: usize) -> Self {
        Canvas { image: Image::new(width, height) }
    }

    /// What the panel shows.
    pub fn image(&self) -> &Image {
        &self.image
    }
}

impl OriginDimensions for Canvas {
    fn size(&self) -> Size {
        Size::new(self.image.width as u32, self.image.height as u32)
    }
}

impl DrawTarget for Canvas {
    type Color = BinaryColor;
    type Error = core::convert::Infallible;

    fn draw_iter<I: IntoIterator<Item = Pixel<BinaryColor>>>(&mut self, pixels: I) -> Result<(), Self::Error> {
        for Pixel(p, c) in pixels {
            if p.x >= 0 && p.y >= 0 && (p.x as usize) < self.image.width && (p.y as usize) < self.image.height {
                self.image.set(p.x as usize, p.y as usize, c.is_on());
            }
        }
        Ok(())
    }
}
