//! A board names the interrupt source of every part it creates, so that the trace and the
//! reports (a fuzz failure's deviations among them) say `irq1004 (UART0)`, not `irq1004`.

use fwsim::trace::TaskRef;
use fwsim_hw::uart::UartConfig;
use fwsim_hw::{Board, Level, Pull};

#[test]
fn every_part_names_its_interrupt_source() {
    fwsim::test(|sim| {
        let board = Board::new();
        let pin = board.input("IR", Pull::Up);
        let button = board.button("BTN", &pin, Level::Low);
        let uart = board.uart("UART0", UartConfig::new(115_200));
        let i2c = board.i2c_bus("I2C0", 100_000);
        let spi = board.spi_bus("SPI1", 1_000_000);
        board.watchdog("IWDG", fwsim::ms(100));
        let custom = board.allocate_irq(4);
        let names = sim.trace_names();
        let label = |irq: fwsim::Irq| names.describe(TaskRef::Interrupt(irq.number));
        let n = |irq: fwsim::Irq| irq.number;
        assert_eq!(label(pin.irq()), format!("irq{} (IR)", n(pin.irq())));
        assert_eq!(label(button.irq()), format!("irq{} (BTN)", n(button.irq())));
        assert_eq!(label(uart.irq()), format!("irq{} (UART0)", n(uart.irq())));
        assert_eq!(label(i2c.irq()), format!("irq{} (I2C0)", n(i2c.irq())));
        assert_eq!(label(spi.irq()), format!("irq{} (SPI1)", n(spi.irq())));
        let named: Vec<&str> = names.irqs.keys().filter_map(|&n| names.irq(n)).collect();
        assert!(named.contains(&"IWDG"), "{named:?}");
        // A source of a model of your own is named by `fwsim::isr::name`.
        assert_eq!(label(custom), format!("irq{}", n(custom)));
        fwsim::isr::name(custom, "my sensor");
        assert_eq!(
            sim.trace_names().describe(TaskRef::Interrupt(custom.number)),
            format!("irq{} (my sensor)", n(custom))
        );
    });
}
