//! The two wirings: GPIO pins (a [`PinDevice`]) and a PCF8574 I2C backpack.

use super::*;

/// A display on GPIO, as a [`PinDevice`]: it samples the bus at each edge of E.
pub(super) struct GpioWiring {
    pub(super) core: Rc<RefCell<Core>>,
    pub(super) rw: bool,
    pub(super) data: usize,
}

impl PinDevice for GpioWiring {
    fn power_cycle(&mut self) {
        power_up(&self.core, false);
    }

    fn on_edge(&mut self, ctx: &mut PinContext<'_>, index: usize, level: Level) {
        if index != 0 {
            return; // only E clocks the controller
        }
        let first_data = if self.rw { 3 } else { 2 };
        let shift = 8 - self.data;
        let byte =
            (0..self.data).fold(0u8, |b, i| b | ((ctx.level(first_data + i) == Level::High) as u8) << (i + shift));
        let rs = ctx.level(1) == Level::High;
        let rw = self.rw && ctx.level(2) == Level::High;
        self.core.borrow_mut().lines(ctx, ctx.now().as_nanos(), rs, rw, level == Level::High, byte);
    }
}

/// The PCF8574 I/O expander of an LCD backpack: an I2C device whose port drives the LCD.
pub struct Pcf8574Backpack {
    pub(super) lcd: Hd44780,
    pub(super) port: u8,
}

/// The controller powers up again: registers and RAM back to their power-on state, busy with
/// its power-on time from now; its counters for the test stay. `e_high`: the expander's port
/// comes up high, so E is high from the start.
fn power_up(core: &Rc<RefCell<Core>>, e_high: bool) {
    let mut c = core.borrow_mut();
    let mut fresh = Core::new(&c.name, c.cols, c.rows);
    (fresh.short_pulses, fresh.dropped, fresh.reads) = (c.short_pulses, c.dropped, c.reads);
    if e_high {
        fresh.e_level = true;
        fresh.e_rise = Some(fresh.power_on);
    }
    *c = fresh;
}

impl I2cDevice for Pcf8574Backpack {
    fn power_cycle(&mut self) {
        power_up(&self.lcd.core, true);
        self.port = 0xFF;
    }

    fn start(&mut self, _ctx: &mut I2cContext, _read: bool) -> bool {
        true
    }

    fn write(&mut self, ctx: &mut I2cContext, byte: u8) -> bool {
        // The outputs change together after the byte's acknowledge bit. When E falls in the
        // same update that changes RS, R/W or data, the controller latches what the lines
        // held while E was high (the new values miss the hold time).
        let previous = std::mem::replace(&mut self.port, byte);
        let lines = if previous & 0x04 != 0 && byte & 0x04 == 0 { previous } else { byte };
        let at = ctx.now().as_nanos() + crate::bit_time_ns(9, ctx.bus_hz());
        let mut core = self.lcd.core.borrow_mut();
        core.backlight = byte & 0x08 != 0;
        core.lines(ctx, at, lines & 0x01 != 0, lines & 0x02 != 0, byte & 0x04 != 0, lines & 0xF0);
        true
    }

    fn read(&mut self, _ctx: &mut I2cContext) -> u8 {
        // Quasi-bidirectional pins read back high unless driven low; the LCD drives nothing.
        self.port
    }
}
