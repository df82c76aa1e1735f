//! The toolkit's drivers on fwsim-hw's peripherals. fwsim-hw imports no firmware-side crate,
//! so a driver's own hardware traits (`ReadU16`, `WallClock`) meet the simulated parts through
//! one-line newtypes, here in the driver's tests as they would be in a user's.

use fwsim::{SimTime, secs};
use fwsim_drivers::sched::{Cron, CronSpec, Field, WallClock, schedule};
use fwsim_drivers::{Aadc, Band, ReadU16};
use fwsim_hw::analog::{AdcChannel, Rtc};
use fwsim_hw::{Board, Curve};

/// The simulated ADC as the toolkit's `Aadc` reads it.
struct Adc(AdcChannel);

impl ReadU16 for Adc {
    fn read_u16(&mut self) -> u16 {
        self.0.read_u16()
    }
}

/// The simulated RTC as the cron scheduler reads it.
struct Clock(Rtc);

impl WallClock for Clock {
    fn now_secs(&self) -> u64 {
        self.0.now_secs()
    }
}

#[test]
fn the_toolkits_aadc_sees_an_adc_ramp_leave_its_band() {
    fwsim::test(|sim| {
        // 0 → 3.3 V over 1 s on a 12-bit ADC: 1.65 V (code 2048) at 500 ms.
        let ramp = Curve::new(&[(SimTime::ZERO, 0.0), (SimTime::from_secs(1), 3.3)]);
        let aadc = &*sim.alloc(Aadc::new(Adc(Board::new().adc(ramp, 3.3, 12))));
        let task = sim.spawn("knob", async move {
            // Wait until the reading leaves 0..=32767 (read_u16 scale): code 2048 → 32768.
            let v = aadc.wait(Band::Between(0, 32_767)).await;
            (v, fwsim::now())
        });
        sim.run_for(secs(1)).unwrap();
        let (v, at) = sim.join(task).unwrap();
        assert_eq!(v, 32_768);
        // Code 2048 is reached when v/3.3 × 4096 rounds to 2048: from 2047.5 / 4096 s. The
        // Aadc samples every 1 ms.
        assert_eq!(at, SimTime::from_millis(500));
    });
}

#[test]
fn the_cron_scheduler_runs_on_the_rtc_and_sleeps_on_the_mcu_timer() {
    fwsim::test(|sim| {
        // 2024-03-10 23:59:50 UTC; the job runs at second 0 of every minute.
        let start = 1_710_115_190;
        let board = Board::new();
        let rtc = &*sim.alloc(Clock(board.rtc(start)));
        let fast = &*sim.alloc(Clock(board.rtc(start)));
        fast.0.drift_ppm(100_000); // 10 % fast, to see it in seconds
        let cron = &*sim.alloc(
            Cron::new(CronSpec { secs: Field::At(0), mins: Field::Any, hrs: Field::Any, ..CronSpec::new() }).unwrap(),
        );
        let runs = &*sim.alloc(std::cell::RefCell::new(Vec::new()));
        let fast_runs = &*sim.alloc(std::cell::RefCell::new(Vec::new()));
        sim.spawn("sched", schedule(rtc, cron, Some(2), move || runs.borrow_mut().push(fwsim::now().as_millis())));
        sim.spawn("fast", schedule(fast, cron, Some(1), move || fast_runs.borrow_mut().push(fast.now_secs() - start)));
        sim.run_for(secs(200)).unwrap();
        // The first run is at the minute (10 s). Like the toolkit's, the scheduler then pauses
        // 1.2 s and computes its next wait in whole seconds of the clock (floored), so later
        // runs land 200 ms after the minute.
        assert_eq!(*runs.borrow(), [10_000, 70_200]);
        // The scheduler reads the RTC once and sleeps on the MCU's timer: with an RTC 10 %
        // fast, the job runs 10 s (virtual) later, when the RTC already shows 11 s, a second
        // past the minute it was meant for.
        assert_eq!(*fast_runs.borrow(), [11]);
        assert_eq!(rtc.now_secs(), start + 200);
    });
}
