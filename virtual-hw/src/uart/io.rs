//! The embedded-io traits on [`Uart`] (async and blocking).

use super::*;

impl Board {
    /// UART `id`'s byte, queued in transmitter epoch `epoch`, has left its TX pin: record it
    /// and hand it to the other end (unless the transmitter was reset since).
    pub(super) fn uart_sent(&self, id: usize, byte: u8, epoch: u64) {
        let (link, cfg, wakers) = {
            let mut board = self.borrow();
            let b = &mut *board;
            let u = &mut b.uarts.all[id];
            if u.tx_epoch != epoch {
                return;
            }
            let wakers: Vec<Waker> = [u.tx_waker.take(), u.flush_waker.take()].into_iter().flatten().collect();
            let (link, cfg, signal) = (u.link, u.cfg, u.tx_signal);
            if link == Link::Peer {
                u.peer_received.push((fwsim::now(), byte));
                if let Some(limit) = u.peer_limit {
                    // Drop in batches of a quarter of the limit, so that each byte costs O(1).
                    let len = u.peer_received.len();
                    if len > limit + limit / 4 {
                        u.peer_received.drain(..len - limit);
                        u.peer_dropped += (len - limit) as u64;
                    }
                }
            }
            b.rec.record(signal, Value::Text(format!("{byte:#04x}")));
            (link, cfg, wakers)
        };
        for w in wakers {
            w.wake();
        }
        if link == Link::Peer {
            UartPeer { board: self.clone(), id }.deliver(byte);
        }
        if let Link::Uart(other) = link {
            let compatible = self.inner.borrow().uarts.all[other].cfg.line_compatible(&cfg);
            self.uart_receive(other, if compatible { Ok(byte) } else { Err(UartError::Framing) });
        }
    }
}

pub(super) struct Disarm<'a>(&'a Uart, bool);

impl Drop for Disarm<'_> {
    fn drop(&mut self) {
        if self.1 {
            self.0.disarm();
        }
    }
}

impl embedded_io::ErrorType for Uart {
    type Error = UartError;
}

impl embedded_io_async::Read for Uart {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, UartError> {
        let mut guard = Disarm(self, true);
        let r = std::future::poll_fn(|cx| guard.0.poll_read(cx, buf)).await;
        guard.1 = false;
        r
    }
}

impl embedded_io_async::Write for Uart {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, UartError> {
        if buf.is_empty() {
            return Ok(0);
        }
        std::future::poll_fn(|cx| {
            let n = self.try_write(buf);
            if n > 0 {
                return Poll::Ready(Ok(n));
            }
            self.board.borrow().uarts.all[self.id].tx_waker = Some(cx.waker().clone());
            Poll::Pending
        })
        .await
    }

    async fn flush(&mut self) -> Result<(), UartError> {
        std::future::poll_fn(|cx| {
            if self.flushed() {
                return Poll::Ready(Ok(()));
            }
            self.board.borrow().uarts.all[self.id].flush_waker = Some(cx.waker().clone());
            Poll::Pending
        })
        .await
    }
}

/// How long a blocking read spins before the simulator calls it a hang.
pub const BLOCKING_READ_LIMIT: SimTime = SimTime::from_secs(3600);

impl embedded_io::Read for Uart {
    /// Spins (busy time) until a byte or an error arrives. A read that would spin for an
    /// hour of virtual time with nothing scheduled to arrive is reported (`BlockingReadHang`)
    /// and panics the task: on a board it would hang forever.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, UartError> {
        let start = fwsim::now();
        let step = self.frame_ns();
        loop {
            if let Some(r) = self.try_read(buf) {
                return r;
            }
            if fwsim::now().as_nanos() - start.as_nanos() > BLOCKING_READ_LIMIT.as_nanos() {
                let name = self.name();
                fwsim::diag::report_hardware(
                    format!("uart {name}"),
                    "BlockingReadHang",
                    format!("a blocking read has waited since {start} and nothing arrived"),
                );
                panic!("fwsim-hw: blocking read on {name} would hang forever");
            }
            fwsim::busy_wait(std::time::Duration::from_nanos(step));
        }
    }
}

impl embedded_io::Write for Uart {
    /// Spins (busy time) while the TX FIFO is full.
    fn write(&mut self, buf: &[u8]) -> Result<usize, UartError> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let n = self.try_write(buf);
            if n > 0 {
                return Ok(n);
            }
            fwsim::busy_wait(std::time::Duration::from_nanos(self.frame_ns()));
        }
    }

    /// Spins (busy time) until the last stop bit has left.
    fn flush(&mut self) -> Result<(), UartError> {
        let end = self.board.inner.borrow().uarts.all[self.id].tx_last_end;
        let now = fwsim::now().as_nanos();
        if end > now {
            fwsim::busy_wait(std::time::Duration::from_nanos(end - now));
        }
        Ok(())
    }
}

impl embedded_io::ReadReady for Uart {
    /// A spin point ([`fwsim::spin_point`]): a `while !uart.read_ready()? {}` loop sees the
    /// byte at the tick it arrives.
    fn read_ready(&mut self) -> Result<bool, UartError> {
        fwsim::spin_point(|| format!("uart {} read_ready()", self.name()));
        let b = self.board.inner.borrow();
        let u = &b.uarts.all[self.id];
        Ok(u.available() > 0 || u.pending_error.is_some())
    }
}

impl embedded_io::WriteReady for Uart {
    /// A spin point, like [`read_ready`](embedded_io::ReadReady::read_ready).
    fn write_ready(&mut self) -> Result<bool, UartError> {
        fwsim::spin_point(|| format!("uart {} write_ready()", self.name()));
        let now = fwsim::now().as_nanos();
        Ok(self.board.borrow().uarts.all[self.id].tx_space(now) > 0)
    }
}
