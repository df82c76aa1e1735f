//! The simulator against a board: the programs of `firmware/diff-programs` and the demo apps
//! of `firmware/` (with `fake-board`'s fakes and stimuli) run under the real embassy-executor
//! on an emulated Cortex-M3 (`boards/qemu`, QEMU `mps2-an385` with instruction-count time) and
//! under fwsim's `Embassy` order; their marks must agree in order and in time.
//!
//! On the board every instruction takes a nanosecond, so a mark comes a little after the
//! instant fwsim gives it (which spends no time running code): a few µs for the programs, up to
//! a few hundred µs after an LCD redraw of ~70 driver delays. The tolerances are 50 µs and
//! 1 ms; the test prints the largest difference it saw. A board firmware that never returns to
//! its executor (`hang`) must be stopped as hung, not run for ever.
//!
//! The test builds the board's firmware (its own workspace) and runs `qemu-system-arm`; with
//! either missing it fails and says what to install (`scripts/test.sh` installs both).

use std::path::Path;
use std::time::Duration;

use diff_programs::{END_MS, IRQ_COUNT, IRQ_PERIOD_MS, IrqSignal, PROGRAMS};
use fake_board::{NoPin, NoTx, apps};
use fwsim::{Irq, Order, Sim, SimConfig, SimTime};
use fwsim_qemu::{Binaries, BoardRun, MarkLog, Marks, assert_same};

/// The programs' log, into a [`MarkLog`].
struct ProgramLog(MarkLog);

impl diff_programs::Log for ProgramLog {
    fn mark(&self, label: &'static str) {
        fake_board::Marks::mark(&self.0, label)
    }
}

/// Runs `program` under fwsim's embassy order, the board's interrupt as a scheduled one.
fn program_on_fwsim(program: &str, tasks: &[&'static str]) -> Marks {
    fwsim::scope(SimConfig::new().order(Order::Embassy), |sim: &Sim| {
        let log = &*sim.alloc(ProgramLog(MarkLog::new()));
        let irq = &*sim.alloc(IrqSignal::new());
        for &task in tasks {
            match program {
                "ties" => sim.spawn(task, diff_programs::ties(task, log)),
                "yields" => sim.spawn(task, diff_programs::yields(task, log)),
                _ => sim.spawn(task, diff_programs::interrupt(task, log, irq)),
            };
        }
        for k in 1..=u64::from(IRQ_COUNT) {
            let ms = SimTime::from_millis(k * IRQ_PERIOD_MS);
            match program {
                // The board starts TIMER0 1 µs late, so each of its interrupts comes 1 µs
                // after the timer alarm of the same millisecond, and the task the alarm woke
                // runs in between.
                "interrupt" => sim.schedule_isr(ms + Duration::from_micros(1), Irq::new(1, 8), move || irq.signal(())),
                // Pended by the alarm interrupt itself: taken before thread mode resumes, in
                // the same instant as the alarm.
                "interrupt_tie" => sim.schedule_isr(ms, Irq::new(1, 31), move || irq.signal(())),
                _ => {}
            }
        }
        sim.run_until(SimTime::from_millis(END_MS)).unwrap();
        log.0.take()
    })
}

/// Runs `app` of `fake-board` under fwsim's embassy order until `end_us`.
fn app_on_fwsim(app: &'static str, end_us: u64) -> Marks {
    fwsim::scope(SimConfig::new().order(Order::Embassy), |sim: &Sim| {
        let marks = &*sim.alloc(MarkLog::new());
        match app {
            "button-led" => sim.spawn(app, apps::button_led(marks, NoTx, NoPin)),
            "uart-shell" => sim.spawn(app, apps::uart_shell(marks, NoTx, NoPin)),
            "thermostat" => sim.spawn(app, apps::thermostat(marks, NoTx, NoPin)),
            "encoder-menu" => sim.spawn(app, apps::encoder_menu(marks)),
            other => panic!("no fwsim wiring for the app {other}"),
        };
        sim.run_until(SimTime::from_micros(end_us)).unwrap();
        marks.take()
    })
}

/// Builds `boards/qemu` (its own workspace); the second call finds it built.
fn build_board() -> Binaries {
    fwsim_qemu::build(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../boards/qemu"))
}

/// Runs the board's binary `bin` on QEMU.
fn on_qemu(board: &Binaries, bin: &str) -> BoardRun {
    fwsim_qemu::run(&board.path(bin))
}

#[test]
fn fwsim_and_the_qemu_board_log_the_same_marks_for_the_programs() {
    let board = build_board();
    for (program, tasks) in PROGRAMS {
        let board = on_qemu(&board, program).marks;
        let worst = assert_same(program, &board, &program_on_fwsim(program, tasks), 50);
        println!("{program}: {} marks agree, largest difference {worst} µs", board.len());
    }
}

#[test]
fn fwsim_and_the_qemu_board_log_the_same_marks_for_the_apps() {
    let board = build_board();
    for (app, end_us) in apps::APPS {
        let run = on_qemu(&board, app);
        let worst = assert_same(app, &run.marks, &app_on_fwsim(app, end_us), 1000);
        println!("{app}: {} marks agree, largest difference {worst} µs", run.marks.len());
        // What went out on the board's real UART is what the marks say, line by line.
        let sent = String::from_utf8(run.uart).expect("text on UART0");
        let sent_lines: Vec<&str> = sent.split('\n').map(|l| l.trim_end_matches('\r')).collect();
        let marked: Vec<&str> = run.marks.iter().filter_map(|m| m.1.strip_prefix("uart ")).collect();
        assert_eq!(&sent_lines[..sent_lines.len() - 1], &marked[..], "{app}: UART0 carried other lines than marked");
    }
}

#[test]
fn a_firmware_that_never_returns_to_the_executor_is_stopped_as_hung() {
    let board = build_board();
    let failure = std::panic::catch_unwind(|| on_qemu(&board, "hang")).expect_err("a hung run fails");
    let message = failure.downcast_ref::<String>().expect("a message");
    // The end (100 ms) is overdue by 100 ms at the time base's first period end, 600 ms.
    let said = "hung: the run ends at 100000 µs, and at 600000 µs the executor had still not got there";
    assert!(message.contains("mark 0 spinning\n") && message.contains(said), "{message}");
}
