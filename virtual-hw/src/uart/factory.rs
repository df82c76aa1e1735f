//! The board's UART side: making UARTs, and the interrupt entry points that receive and
//! send bytes at their exact times.

use super::*;

impl Board {
    /// A UART called `name` (signals `name.tx` and `name.rx`), not connected yet.
    #[track_caller]
    pub fn uart(&self, name: &str, cfg: UartConfig) -> Uart {
        assert!(cfg.baud > 0 && cfg.tx_fifo > 0, "fwsim-hw: a UART needs a baud rate and a TX FIFO");
        let mut b = self.borrow();
        let b = &mut *b;
        let (tx, rx) = (format!("{name}.tx"), format!("{name}.rx"));
        // Both names checked before either is taken: a clash leaves the board as it was.
        b.rec.ensure_new(&tx);
        b.rec.ensure_new(&rx);
        let tx_signal = b.rec.add(&tx, SignalKind::Text);
        let rx_signal = b.rec.add(&rx, SignalKind::Text);
        let irq = b.allocate_named_irq(UART_IRQ_PRIORITY, name);
        b.uarts.all.push(UartState {
            irq,
            name: name.to_string(),
            cfg,
            link: Link::None,
            tx_signal,
            rx_signal,
            tx_anchor: 0,
            tx_index: 0,
            tx_last_end: 0,
            tx_queued_starts: VecDeque::new(),
            tx_epoch: 0,
            tx_waker: None,
            flush_waker: None,
            fifo: VecDeque::new(),
            armed: 0,
            dma: Vec::new(),
            pending_error: None,
            bytes_before_error: 0,
            rx_waker: None,
            overruns: 0,
            lost_on_cancel: 0,
            peer_line_end: 0,
            peer_received: Vec::new(),
            peer_dropped: 0,
            peer_limit: None,
            device: None,
        });
        Uart { board: self.clone(), id: b.uarts.all.len() - 1 }
    }

    /// Crosses the TX and RX lines of two UARTs.
    pub fn connect_uarts(&self, a: &Uart, b: &Uart) {
        let mut board = self.borrow();
        board.uarts.all[a.id].link = Link::Uart(b.id);
        board.uarts.all[b.id].link = Link::Uart(a.id);
    }

    /// The UART called `name`, back for firmware booting again after a reset (once the old
    /// firmware's tasks are gone, [`fwsim::Sim::abort_all`]): its receiver empty, its
    /// transmitter stopped (the byte on the wire and those queued behind it never arrive), its
    /// line, speed and far end as wired. Panics, naming the board's UARTs, if it has none
    /// called `name`.
    #[track_caller]
    pub fn reclaim_uart(&self, name: &str) -> Uart {
        let mut b = self.borrow();
        let id = crate::board::index_named(b.uarts.all.iter().map(|u| u.name.as_str()), name, "UART");
        b.uarts.all[id].empty_receiver();
        b.uarts.all[id].stop_transmitter(fwsim::now().as_nanos());
        Uart { board: self.clone(), id }
    }

    /// Byte `byte` (or a line error) reaches UART `to`'s receiver now; runs in its
    /// interrupt.
    pub(super) fn uart_receive(&self, to: usize, byte: Result<u8, UartError>) {
        let waker = {
            let mut board = self.borrow();
            let b = &mut *board;
            let u = &mut b.uarts.all[to];
            let text = match byte {
                Ok(v) => format!("{v:#04x}"),
                Err(e) => format!("{e:?}"),
            };
            match byte {
                Err(e) => {
                    u.line_error(e);
                }
                Ok(v) => {
                    let dma_room = u.cfg.rx == RxMode::Unbuffered && u.dma.len() < u.armed;
                    if dma_room {
                        u.dma.push(v);
                    } else if u.fifo.len() < u.fifo_cap() {
                        u.fifo.push_back(v);
                    } else {
                        u.overruns += 1;
                        u.line_error(UartError::Overrun);
                    }
                }
            }
            let w = u.rx_waker.take();
            let signal = u.rx_signal;
            b.rec.record(signal, Value::Text(text));
            w
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    pub(super) fn uart_irq(&self, id: usize) -> Irq {
        self.inner.borrow().uarts.all[id].irq
    }
}
