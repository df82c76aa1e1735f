//! [`SpiBusHandle`], the firmware's bus, timed from the clock, with its traits.

use super::*;

/// An SPI controller: `embedded_hal::spi::SpiBus<u8>`, its async twin, and embedded-hal
/// 0.2's `blocking::spi::{Transfer, Write}`.
#[derive(Clone)]
pub struct SpiBusHandle {
    pub(super) board: Board,
    pub(super) bus: usize,
}

impl SpiBusHandle {
    /// Exchanges `write` (padded with 0x00) for `read.len().max(write.len())` bytes; returns
    /// when the last bit ends.
    pub(super) fn exchange(&self, write: &[u8], mut read: Option<&mut [u8]>) -> u64 {
        let len = write.len().max(read.as_deref().map_or(0, <[u8]>::len));
        let (start, hz, selected, signal) = {
            let b = self.board.inner.borrow();
            let bus = &b.spi.all[self.bus];
            let start = fwsim::now().as_nanos().max(bus.busy_until);
            let selected: Vec<(String, Rc<RefCell<dyn SpiTarget>>)> =
                bus.targets.iter().filter(|t| !t.cs.is_high()).map(|t| (t.name.clone(), t.target.clone())).collect();
            (start, bus.hz, selected, bus.signal)
        };
        if selected.len() > 1 {
            let names: Vec<&str> = selected.iter().map(|s| s.0.as_str()).collect();
            fwsim::diag::report_hardware(
                names.join(" + "),
                "MultipleSelected",
                "two chip selects are low at once: their MISO drivers fight",
            );
        }
        let mut miso = Vec::with_capacity(len);
        for i in 0..len {
            let mosi = write.get(i).copied().unwrap_or(0);
            let now = SimTime(start + bit_time_ns(8 * (i as u64 + 1), hz));
            let byte = match selected.first() {
                Some((name, target)) => {
                    let mut ctx = SpiContext { now, hz, device: name.clone(), board: self.board.clone() };
                    target.borrow_mut().exchange(&mut ctx, mosi)
                }
                None => 0xff,
            };
            miso.push(byte);
            if let Some(r) = read.as_deref_mut()
                && i < r.len()
            {
                r[i] = byte;
            }
        }
        let end = start + bit_time_ns(8 * len as u64, hz);
        let mut b = self.board.borrow();
        let b = &mut *b;
        b.spi.all[self.bus].busy_until = end;
        let hex = |v: &[u8]| v.iter().map(|x| format!("{x:02X}")).collect::<Vec<_>>().join(" ");
        let text = format!("MOSI[{}] MISO[{}]", hex(&write[..write.len().min(len)]), hex(&miso));
        b.rec.record(signal, Value::Text(text));
        end
    }

    pub(super) fn block_until(end: u64) {
        crate::block_until(end)
    }

    pub(super) async fn wait_until(&self, end: u64) {
        let irq = self.board.borrow().spi.all[self.bus].irq;
        crate::wait_until(end, irq).await
    }

    /// Runs one `SpiDevice` operation on the bus; returns when it ends.
    pub(super) fn operation(&self, op: &mut Operation<'_, u8>) -> u64 {
        match op {
            Operation::Read(r) => self.exchange(&[], Some(r)),
            Operation::Write(w) => self.exchange(w, None),
            Operation::Transfer(r, w) => self.exchange(w, Some(r)),
            Operation::TransferInPlace(words) => {
                let out = words.to_vec();
                self.exchange(&out, Some(words))
            }
            Operation::DelayNs(ns) => fwsim::now().as_nanos() + *ns as u64,
        }
    }
}

impl embedded_hal::spi::ErrorType for SpiBusHandle {
    type Error = ErrorKind;
}

impl embedded_hal::spi::SpiBus for SpiBusHandle {
    fn read(&mut self, words: &mut [u8]) -> Result<(), ErrorKind> {
        Self::block_until(self.exchange(&[], Some(words)));
        Ok(())
    }
    fn write(&mut self, words: &[u8]) -> Result<(), ErrorKind> {
        Self::block_until(self.exchange(words, None));
        Ok(())
    }
    fn transfer(&mut self, read: &mut [u8], write: &[u8]) -> Result<(), ErrorKind> {
        Self::block_until(self.exchange(write, Some(read)));
        Ok(())
    }
    fn transfer_in_place(&mut self, words: &mut [u8]) -> Result<(), ErrorKind> {
        let out = words.to_vec();
        Self::block_until(self.exchange(&out, Some(words)));
        Ok(())
    }
    fn flush(&mut self) -> Result<(), ErrorKind> {
        Ok(())
    }
}

impl embedded_hal_async::spi::SpiBus for SpiBusHandle {
    async fn read(&mut self, words: &mut [u8]) -> Result<(), ErrorKind> {
        let end = self.exchange(&[], Some(words));
        self.wait_until(end).await;
        Ok(())
    }
    async fn write(&mut self, words: &[u8]) -> Result<(), ErrorKind> {
        let end = self.exchange(words, None);
        self.wait_until(end).await;
        Ok(())
    }
    async fn transfer(&mut self, read: &mut [u8], write: &[u8]) -> Result<(), ErrorKind> {
        let end = self.exchange(write, Some(read));
        self.wait_until(end).await;
        Ok(())
    }
    async fn transfer_in_place(&mut self, words: &mut [u8]) -> Result<(), ErrorKind> {
        let out = words.to_vec();
        let end = self.exchange(&out, Some(words));
        self.wait_until(end).await;
        Ok(())
    }
    async fn flush(&mut self) -> Result<(), ErrorKind> {
        Ok(())
    }
}

impl embedded_hal_02::blocking::spi::Write<u8> for SpiBusHandle {
    type Error = ErrorKind;
    fn write(&mut self, words: &[u8]) -> Result<(), ErrorKind> {
        Self::block_until(self.exchange(words, None));
        Ok(())
    }
}

impl embedded_hal_02::blocking::spi::Transfer<u8> for SpiBusHandle {
    type Error = ErrorKind;
    fn transfer<'w>(&mut self, words: &'w mut [u8]) -> Result<&'w [u8], ErrorKind> {
        let out = words.to_vec();
        Self::block_until(self.exchange(&out, Some(words)));
        Ok(words)
    }
}
