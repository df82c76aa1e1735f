//! Chapter 5 of the tutorial: drivers over the HAL traits, on simulated parts.

use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use embedded_hal::digital::OutputPin;
use embedded_hal_async::digital::Wait;
use fwsim::SimTime;
use fwsim_drivers::Htu21d;
use std::time::Duration;

use fwsim_hw::{Board, Bounce, Drive, Level, Pull, devices};

// ANCHOR: edge
/// Firmware over the HAL traits: waits for the button's edge (a pin interrupt on a board),
/// so the core sleeps until a press.
async fn lamp(mut button: impl Wait, mut lamp: impl OutputPin) {
    let mut on = false;
    loop {
        button.wait_for_falling_edge().await.unwrap();
        on = !on;
        lamp.set_state(on.into()).unwrap();
        // A contact bounces when it opens too: settle after the press *and* after the
        // release, or the release's bounce reads as another press.
        embassy_time::Timer::after_millis(50).await;
        button.wait_for_high().await.unwrap();
        embassy_time::Timer::after_millis(50).await;
    }
}

#[test]
fn the_lamp_follows_the_button_even_when_it_bounces() {
    fwsim::test(|sim| {
        let board = Board::new();
        let key = board.input("KEY", Pull::Up);
        let light = board.output("LAMP", Drive::PushPull, Level::Low);
        let button = board.button("B1", &key, Level::Low);
        // Up to 3 extra open/close pairs within 0.8 ms of each change, drawn from the seed.
        button.set_bounce(Some(Bounce { window: Duration::from_micros(800), max_pairs: 3 }));
        button.press_at(SimTime::from_millis(100));
        button.release_at(SimTime::from_millis(300));
        button.press_at(SimTime::from_millis(500));
        sim.spawn("lamp", lamp(key, light));
        sim.run_for(fwsim::ms(600)).unwrap();
        // Two presses, two toggles: on at the first, off at the second, bounce ignored.
        board.expect("LAMP").rises().within(fwsim::ms(1)).at_or_after(SimTime::from_millis(100)).unwrap();
        board.expect("LAMP").falls().within(fwsim::ms(1)).at_or_after(SimTime::from_millis(500)).unwrap();
        // And nothing in between: no toggle from the release at 300 ms.
        board.expect("LAMP").changes().within(fwsim::ms(398)).not_after(SimTime::from_millis(101)).unwrap();
    });
}
// ANCHOR_END: edge

// ANCHOR: driver
#[test]
fn the_htu21d_driver_reads_the_model_with_the_datasheets_timing() {
    fwsim::test(|sim| {
        let board = Board::new();
        let bus = board.i2c_bus("I2C0", 400_000);
        bus.attach(0x40, "htu21d", devices::Htu21d::new(21.5, 40.0));
        let reading = sim.spawn("read", async move {
            let mut i2c = bus.handle();
            let values = Htu21d::<NoopRawMutex>::read(&mut i2c).await.unwrap();
            (values, embassy_time::Instant::now().as_micros())
        });
        sim.run_for(fwsim::ms(200)).unwrap();
        let ((celsius, humidity), at_us) = sim.join(reading).unwrap();
        assert!((celsius - 21.5).abs() < 0.02 && (humidity - 40.0).abs() < 0.1, "{celsius} {humidity}");
        // Two conversions of 60 ms (the driver's wait) plus the bus time at 400 kHz.
        assert!((120_000..121_000).contains(&at_us), "{at_us} µs");
    });
}
// ANCHOR_END: driver
