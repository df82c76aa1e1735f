//! The `alcd` port on the HD44780 model: rows reach the glass with the datasheet's timing, and
//! a row written while the display task is sending it is never lost, in any schedule.

use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use embassy_time::Timer;
use fwsim::fuzz::{Fuzz, Strategy};
use fwsim::{Sim, SimTime, ms};
use fwsim_drivers::{Lcd, LcdPins};
use fwsim_hw::devices::Hd44780;
use fwsim_hw::{Board, Drive, Level};

/// A 16×2 display on six board pins, and its display task spawned.
fn display<'s>(sim: &'s Sim<'s>, board: &Board) -> (Hd44780, &'s Lcd<NoopRawMutex, 16, 2>) {
    let pin = |name| board.output(name, Drive::PushPull, Level::Low);
    let [rs, e, d4, d5, d6, d7] = [pin("RS"), pin("E"), pin("D4"), pin("D5"), pin("D6"), pin("D7")];
    let model = Hd44780::gpio("lcd", (16, 2), &rs, None, &e, &[&d4, &d5, &d6, &d7]);
    let lcd = &*sim.alloc(Lcd::<NoopRawMutex, 16, 2>::new());
    sim.spawn("display", lcd.run(LcdPins { rs, e, d4, d5, d6, d7 }));
    (model, lcd)
}

#[test]
fn rows_reach_the_glass_with_the_datasheets_timing() {
    fwsim::test(|sim| {
        let board = Board::new();
        let (model, lcd) = display(sim, &board);
        lcd.set_row(0, "Hello, fwsim!");
        lcd.set_row(1, "rows: 2, cols: 16 and more");
        sim.run_for(ms(19)).unwrap();
        assert_eq!(model.text(), [" ".repeat(16), " ".repeat(16)], "nothing before the power-on wait");
        sim.run_for(ms(100)).unwrap();
        assert_eq!(model.text(), ["Hello, fwsim!   ", "rows: 2, cols: 1"]);
        assert_eq!(lcd.row(1).map(|r| r.to_vec()), Some(b"rows: 2, cols: 1".to_vec()));
        // Every instruction and character respected the controller's timing.
        assert!(sim.diagnostics().is_empty(), "{:?}", sim.diagnostics());
        assert_eq!((model.short_pulses(), model.dropped_writes()), (0, 0));
    });
}

/// A row written by an interrupt handler, at an instant between two timer ticks: the display
/// task starts sending there, and its pulses must still be long enough.
#[test]
fn a_refresh_started_between_two_ticks_keeps_the_pulse_widths() {
    fwsim::test(|sim| {
        let board = Board::new();
        let (model, lcd) = display(sim, &board);
        sim.run_for(ms(100)).unwrap();
        let between_ticks = SimTime::from_nanos(100_000_667);
        sim.schedule_isr(between_ticks, fwsim::Irq::new(1, 20), move || lcd.set_row(0, "from an ISR"));
        sim.run_for(ms(50)).unwrap();
        assert_eq!(model.text()[0], "from an ISR     ");
        assert!(sim.diagnostics().is_empty(), "{:?}", sim.diagnostics());
        assert_eq!(model.short_pulses(), 0);
    });
}

/// A writer updates row 0 while the display task is still sending its first text; at the
/// end the glass must show the last text written.
fn write_during_refresh<'s>(sim: &'s Sim<'s>) {
    let board = Board::new();
    let (model, lcd) = display(sim, &board);
    let glass = model.clone();
    sim.spawn("writer", async move {
        lcd.set_row(0, "first");
        // Wait until the display task is half-way through sending it.
        while !glass.text()[0].starts_with("fir") {
            Timer::after_micros(10).await;
        }
        lcd.set_row(0, "second");
        fwsim::yield_now().await;
        lcd.set_row(1, "done");
    });
    sim.run_until(SimTime::from_millis(60)).unwrap();
    assert_eq!(model.text(), ["second          ", "done            "], "an update was lost");
}

#[test]
fn a_row_written_during_a_refresh_is_never_lost() {
    for strategy in [Strategy::Random, Strategy::Dfs { bound: 2 }] {
        let report = Fuzz::new(strategy).name("lcd-write-during-refresh").iterations(300).run(write_during_refresh);
        assert!(report.executions > 0);
    }
}
