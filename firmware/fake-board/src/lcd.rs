//! An HD44780 character LCD behind a PCF8574 backpack, decoded from the backpack's bytes.

use crate::Marks;

/// The backpack's bits: register select, enable, and the data nibble in the high four.
const RS: u8 = 0x01;
const E: u8 = 0x04;

/// Decodes what a driver writes to the backpack — nibbles latched on the falling edge of E,
/// 8-bit mode until a function set selects 4 bits, then pairs of nibbles — into the display
/// memory of a 16×2 LCD. Clear, home, set-address and character writes are understood; other
/// commands are taken and ignored.
///
/// A row is marked as `"lcd<row> <16 characters>"` when a character lands in its last column
/// and the row differs from the last time it was marked: one mark per finished redraw.
pub struct Hd44780<'a, M> {
    marks: &'a M,
    last: u8,
    four_bit: bool,
    high: Option<u8>,
    ddram: [[u8; 40]; 2],
    address: u8,
    shown: [[u8; 16]; 2],
}

impl<'a, M: Marks> Hd44780<'a, M> {
    /// A blank display, marking on `marks`.
    pub fn new(marks: &'a M) -> Self {
        Hd44780 {
            marks,
            last: 0,
            four_bit: false,
            high: None,
            ddram: [[b' '; 40]; 2],
            address: 0,
            shown: [[b' '; 16]; 2],
        }
    }

    /// One byte written to the backpack's port.
    pub fn port(&mut self, byte: u8) {
        let falling = self.last & E != 0 && byte & E == 0;
        let latched = self.last;
        self.last = byte;
        if !falling {
            return;
        }
        let nibble = latched >> 4;
        if !self.four_bit {
            // In 8-bit mode the nibble is the top half of a command; only a function set with
            // DL=0 (0b0010) switches to 4 bits.
            if nibble == 0x2 {
                self.four_bit = true;
            }
            return;
        }
        match self.high.take() {
            None => self.high = Some(nibble),
            Some(high) => self.execute((high << 4) | nibble, latched & RS != 0),
        }
    }

    fn execute(&mut self, value: u8, data: bool) {
        if !data {
            match value {
                0x01 => {
                    self.ddram = [[b' '; 40]; 2];
                    self.address = 0;
                }
                0x02 | 0x03 => self.address = 0,
                v if v & 0x80 != 0 => self.address = v & 0x7F,
                _ => {}
            }
            return;
        }
        let (row, column) = (usize::from(self.address >= 0x40), usize::from(self.address & 0x3F));
        if column < 40 {
            self.ddram[row][column] = value;
        }
        self.address = self.address.wrapping_add(1);
        if column == 15 && self.ddram[row][..16] != self.shown[row] {
            self.shown[row].copy_from_slice(&self.ddram[row][..16]);
            let mut text: heapless::String<24> = heapless::String::new();
            let _ = text.push_str(if row == 0 { "lcd0 " } else { "lcd1 " });
            let _ = text.push_str(core::str::from_utf8(&self.shown[row]).unwrap_or("<not text>"));
            self.marks.mark(&text);
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::string::{String, ToString};
    use std::vec::Vec;

    use super::*;

    struct Log(core::cell::RefCell<Vec<String>>);

    impl Marks for Log {
        fn mark(&self, what: &str) {
            self.0.borrow_mut().push(what.to_string());
        }
    }

    /// One nibble as a backpack driver strobes it: data with E high, then E low.
    fn strobe(lcd: &mut Hd44780<'_, Log>, nibble: u8, rs: bool) {
        let bits = (nibble << 4) | u8::from(rs) | 0x08;
        lcd.port(bits);
        lcd.port(bits | E);
        lcd.port(0x08);
    }

    fn send(lcd: &mut Hd44780<'_, Log>, value: u8, rs: bool) {
        strobe(lcd, value >> 4, rs);
        strobe(lcd, value & 0xF, rs);
    }

    #[test]
    fn rows_are_marked_once_each_time_they_change() {
        let log = Log(core::cell::RefCell::new(Vec::new()));
        let mut lcd = Hd44780::new(&log);
        for nibble in [0x3, 0x3, 0x3, 0x2] {
            strobe(&mut lcd, nibble, false);
        }
        send(&mut lcd, 0x28, false);
        send(&mut lcd, 0x01, false);
        for (row, text) in [(0x80, "> Light        0"), (0xC0, "  press to edit "), (0x80, "> Light        0")] {
            send(&mut lcd, row, false);
            text.bytes().for_each(|c| send(&mut lcd, c, true));
        }
        assert_eq!(*log.0.borrow(), ["lcd0 > Light        0", "lcd1   press to edit "]);
    }
}
