//! Host wiring of `firmware/syncom-pair`: two boards in one simulation, board A (the
//! initiator) on the first executor and board B (passive) on a second, their SynCom lines
//! crossed pin to pin (A.CKOUT to B.CKIN, A.DOUT to B.DIN and back). Each logs on its own
//! UART0 at 115,200 baud.

use fwsim::{Order, Sim};
use fwsim_drivers::SynComPins;
use fwsim_hw::uart::UartConfig;
use fwsim_hw::{Board, Drive, Level, Pin, Pull};
use fwsim_scenario::{App, PartInfo, PartKind, Parts};

/// The SynCom pair app.
pub struct SyncomPair;

/// One board's four SynCom lines.
fn lines(board: &Board, name: &str) -> SynComPins<Pin, Pin, Pin, Pin> {
    let out = |line: &str| board.output(&format!("{name}.{line}"), Drive::PushPull, Level::Low);
    let input = |line: &str| board.input(&format!("{name}.{line}"), Pull::None);
    SynComPins { ckin: input("CKIN"), ckout: out("CKOUT"), din: input("DIN"), dout: out("DOUT") }
}

/// One board's four SynCom lines again, as [`lines`] made them: for its firmware's boot.
fn reclaim_lines(board: &Board, name: &str) -> SynComPins<Pin, Pin, Pin, Pin> {
    let pin = |line: &str| board.reclaim_pin(&format!("{name}.{line}"));
    SynComPins { ckin: pin("CKIN"), ckout: pin("CKOUT"), din: pin("DIN"), dout: pin("DOUT") }
}

impl App for SyncomPair {
    fn name(&self) -> &str {
        "syncom-pair"
    }

    fn about(&self) -> &str {
        "Two boards over the toolkit's SynCom 4-wire link: pings and pongs (firmware/syncom-pair)"
    }

    fn parts(&self) -> Vec<PartInfo> {
        vec![
            PartInfo::new("log-a", PartKind::Serial, "board A's log on A.UART0, 115,200 baud"),
            PartInfo::new("log-b", PartKind::Serial, "board B's log on B.UART0, 115,200 baud"),
        ]
    }

    fn start<'s>(&self, sim: &'s Sim<'s>, board: &Board) -> Parts {
        let (a, b) = (lines(board, "A"), lines(board, "B"));
        for (from, to) in [(&a.ckout, &b.ckin), (&a.dout, &b.din), (&b.ckout, &a.ckin), (&b.dout, &a.din)] {
            board.jumper(from, to);
        }
        let (log_a, log_b) =
            (board.uart("A.UART0", UartConfig::new(115_200)), board.uart("B.UART0", UartConfig::new(115_200)));
        let mut parts = Parts::new();
        parts.serial("log-a", log_a.peer()).serial("log-b", log_b.peer());
        let (board, mcu_b) = (board.clone(), sim.add_executor(Order::Embassy));
        parts.boot(move |sim| {
            let (a, log_a) = (reclaim_lines(&board, "A"), board.reclaim_uart("A.UART0"));
            sim.spawn("board-a", app_syncom_pair::initiator(a, log_a));
            let (b, log_b) = (reclaim_lines(&board, "B"), board.reclaim_uart("B.UART0"));
            sim.spawn_on(mcu_b, "board-b", app_syncom_pair::passive(b, log_b));
        });
        parts
    }
}
