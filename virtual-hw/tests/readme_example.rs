//! The README's "Simulated hardware" example, verbatim below the marker; the last test checks
//! that the README still shows exactly this code.

// README BEGIN
use embedded_hal::digital::OutputPin;
use embedded_hal_async::digital::Wait;
use fwsim::{SimTime, ms};
use fwsim_hw::{Board, Drive, Level, Pull};

/// Firmware: lights the LED 3 ms after each press.
async fn firmware(mut key: impl Wait, mut led: impl OutputPin) {
    loop {
        key.wait_for_falling_edge().await.unwrap();
        embassy_time::Timer::after_millis(3).await;
        led.set_high().unwrap();
    }
}

#[test]
fn the_led_answers_the_button() {
    fwsim::test(|sim| {
        let board = Board::new();
        let key = board.input("KEY", Pull::Up);
        let led = board.output("LED", Drive::PushPull, Level::Low);
        board.button("B1", &key, Level::Low).press_at(SimTime::from_millis(100));
        sim.spawn("firmware", firmware(key, led));
        sim.run_for(ms(200)).unwrap();
        let press = board.expect("KEY").falls().after(SimTime::ZERO).unwrap();
        board.expect("LED").rises().within(ms(5)).after(press).unwrap();
    });
}
// README END

#[test]
fn the_readme_shows_this_code() {
    let this = include_str!("readme_example.rs");
    let code = &this[this.find("// README BEGIN\n").unwrap() + 16..this.find("// README END").unwrap()];
    let readme = include_str!("../../README.md");
    let section = &readme[readme.find("## Simulated hardware").expect("section")..];
    let start = section.find("```rust\n").unwrap() + 8;
    let block = &section[start..start + section[start..].find("```\n").unwrap()];
    assert_eq!(block, code, "README.md and virtual-hw/tests/readme_example.rs differ");
}
