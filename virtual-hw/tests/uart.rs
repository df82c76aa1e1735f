//! UART timing, FIFOs, errors, peers and cancel safety, in virtual time.

use embassy_futures::select::{Either, select};
use embassy_time::{Instant, Timer};
use embedded_io_async::{Read, Write};
use fwsim::{SimTime, ms, secs};
use fwsim_hw::Board;
use fwsim_hw::uart::{ErrorOrder, Parity, RxMode, StopBits, UartConfig, UartError};

#[test]
fn a_9600_8n1_byte_takes_1_041_667_ns_and_9600_bytes_take_exactly_10_s() {
    fwsim::test(|sim| {
        let board = Board::new();
        let mut uart = board.uart("U", UartConfig::new(9600));
        let peer = uart.peer();
        let task = sim.spawn("tx", async move {
            uart.write_all(&[0x55; 9600]).await.unwrap();
            uart.flush().await.unwrap();
            fwsim::now()
        });
        sim.run_for(secs(11)).unwrap();
        assert_eq!(sim.join(task).unwrap(), SimTime::from_secs(10));
        let got = peer.received();
        assert_eq!(got.len(), 9600);
        assert_eq!(got[0].0.as_nanos(), 1_041_667);
        assert_eq!(got[1].0.as_nanos(), 2_083_333);
        assert_eq!(got[9599].0, SimTime::from_secs(10));
    });
}

#[test]
fn frame_format_sets_the_byte_time() {
    let cfg = UartConfig::new(115_200).format(8, Parity::Even, StopBits::Two);
    assert_eq!(cfg.frame_bits(), 12);
    assert_eq!(cfg.byte_end(0, 0), 104_167);
    assert_eq!(UartConfig::new(115_200).byte_end(0, 11_519), 1_000_000_000);
}

#[test]
fn write_returns_once_bytes_are_in_the_tx_fifo_and_flush_when_the_line_is_idle() {
    fwsim::test(|sim| {
        let board = Board::new();
        let mut uart = board.uart("U", UartConfig::new(1_000_000));
        let _peer = uart.peer();
        let task = sim.spawn("tx", async move {
            // 10 µs per byte; the FIFO holds 32 bytes beside the one in the shift register.
            let first = uart.write(&[1; 64]).await.unwrap();
            let t_first = fwsim::now();
            let second = uart.write(&[2; 64]).await.unwrap();
            let t_second = fwsim::now();
            uart.flush().await.unwrap();
            (first, t_first, second, t_second, fwsim::now())
        });
        sim.run_for(ms(5)).unwrap();
        let (first, t_first, second, t_second, flushed) = sim.join(task).unwrap();
        assert_eq!((first, t_first), (33, SimTime::ZERO));
        // The FIFO frees one place when the first byte's stop bit ends.
        assert_eq!((second, t_second), (1, SimTime::from_micros(10)));
        assert_eq!(flushed, SimTime::from_micros(340));
    });
}

#[test]
fn an_unbuffered_uart_overruns_while_no_read_is_armed_and_reports_it_once() {
    fwsim::test(|sim| {
        let board = Board::new();
        let mut uart = board.uart("U", UartConfig::new(115_200));
        let peer = uart.peer();
        let data: Vec<u8> = (0..40).collect();
        peer.send_at(SimTime::ZERO, &data);
        let overruns = {
            let task = sim.spawn("late reader", async move {
                // Busy elsewhere while 40 bytes arrive: 8 find the 32-byte FIFO full.
                Timer::after_millis(10).await;
                let mut buf = [0u8; 64];
                let first = uart.read(&mut buf).await;
                let n = uart.read(&mut buf).await.unwrap();
                (first, buf[..n].to_vec(), uart.overruns())
            });
            sim.run_for(ms(20)).unwrap();
            sim.join(task).unwrap()
        };
        assert_eq!(overruns.0, Err(UartError::Overrun));
        assert_eq!(overruns.1, (0..32).collect::<Vec<u8>>());
        assert_eq!(overruns.2, 8);
    });
}

/// 40 bytes at 0, read 10 ms later (8 lost to overrun), then 3 more bytes at 20 ms; the
/// reader logs what every read returned.
fn reads_around_an_overrun(errors: ErrorOrder) -> Vec<Result<Vec<u8>, UartError>> {
    let log = std::sync::Mutex::new(Vec::new());
    fwsim::test(|sim| {
        let board = Board::new();
        let mut uart = board.uart("U", UartConfig::new(115_200).errors(errors));
        let peer = uart.peer();
        peer.send_at(SimTime::ZERO, &(0..40).collect::<Vec<u8>>());
        peer.send_at(SimTime::from_millis(20), &[100, 101, 102]);
        let task = sim.spawn("reader", async move {
            Timer::after_millis(10).await;
            let mut log = Vec::new();
            let mut buf = [0u8; 20];
            // The error and the 32 kept bytes in 20-byte reads: three reads, in either order.
            for _ in 0..3 {
                log.push(uart.read(&mut buf).await.map(|n| buf[..n].to_vec()));
            }
            Timer::at(Instant::from_millis(25)).await;
            log.push(uart.read(&mut buf).await.map(|n| buf[..n].to_vec()));
            log
        });
        sim.run_for(ms(30)).unwrap();
        *log.lock().unwrap() = sim.join(task).unwrap();
    });
    log.into_inner().unwrap()
}

#[test]
fn an_overrun_is_read_first_or_where_the_gap_is_as_configured() {
    let kept: Vec<u8> = (0..32).collect();
    assert_eq!(
        reads_around_an_overrun(ErrorOrder::First),
        [Err(UartError::Overrun), Ok(kept[..20].to_vec()), Ok(kept[20..].to_vec()), Ok(vec![100, 101, 102])]
    );
    assert_eq!(
        reads_around_an_overrun(ErrorOrder::InStream),
        [Ok(kept[..20].to_vec()), Ok(kept[20..].to_vec()), Err(UartError::Overrun), Ok(vec![100, 101, 102])]
    );
}

#[test]
fn an_armed_reader_keeps_up_and_a_buffered_uart_keeps_everything() {
    fwsim::test(|sim| {
        let board = Board::new();
        let mut reader = board.uart("U1", UartConfig::new(115_200));
        let mut buffered = board.uart("U2", UartConfig::new(115_200).rx(RxMode::Buffered(256)));
        let data: Vec<u8> = (0..200).collect();
        reader.peer().send_at(SimTime::ZERO, &data);
        buffered.peer().send_at(SimTime::ZERO, &data);
        let a = sim.spawn("reader", async move {
            let mut got = Vec::new();
            let mut buf = [0u8; 16];
            while got.len() < 200 {
                let n = reader.read(&mut buf).await.unwrap();
                got.extend_from_slice(&buf[..n]);
            }
            (got, reader.overruns())
        });
        let b = sim.spawn("late buffered reader", async move {
            Timer::after_millis(50).await;
            let mut got = vec![0u8; 200];
            buffered.read_exact(&mut got).await.unwrap();
            (got, buffered.overruns())
        });
        sim.run_for(ms(60)).unwrap();
        assert_eq!(sim.join(a).unwrap(), (data.clone(), 0));
        assert_eq!(sim.join(b).unwrap(), (data, 0));
    });
}

#[test]
fn a_line_error_is_reported_once_by_the_next_read() {
    for error in [UartError::Framing, UartError::Parity, UartError::Noise, UartError::Break] {
        line_error_once(error);
    }
}

fn line_error_once(error: UartError) {
    fwsim::test(|sim| {
        let board = Board::new();
        let mut uart = board.uart("U", UartConfig::new(9600));
        let peer = uart.peer();
        peer.error_at(SimTime::from_millis(1), error);
        peer.send_at(SimTime::from_millis(2), b"ok");
        let task = sim.spawn("reader", async move {
            Timer::after_millis(10).await;
            let mut buf = [0u8; 4];
            let first = uart.read(&mut buf).await;
            let n = uart.read(&mut buf).await.unwrap();
            (first, buf[..n].to_vec())
        });
        sim.run_for(ms(20)).unwrap();
        assert_eq!(sim.join(task).unwrap(), (Err(error), b"ok".to_vec()));
    });
}

#[test]
fn connected_uarts_exchange_bytes_and_a_baud_mismatch_is_a_framing_error() {
    fwsim::test(|sim| {
        let board = Board::new();
        let mut a = board.uart("A", UartConfig::new(115_200));
        let mut b = board.uart("B", UartConfig::new(115_200));
        board.connect_uarts(&a, &b);
        let mut c = board.uart("C", UartConfig::new(115_200));
        let mut d = board.uart("D", UartConfig::new(57_600));
        board.connect_uarts(&c, &d);
        let ping = sim.spawn("ping", async move {
            a.write_all(b"ping").await.unwrap();
            let mut buf = [0u8; 4];
            a.read_exact(&mut buf).await.unwrap();
            (buf, fwsim::now())
        });
        sim.spawn("pong", async move {
            let mut buf = [0u8; 4];
            b.read_exact(&mut buf).await.unwrap();
            assert_eq!(&buf, b"ping");
            b.write_all(b"pong").await.unwrap();
        });
        let mismatch = sim.spawn("mismatch", async move {
            c.write_all(b"x").await.unwrap();
            let mut buf = [0u8; 1];
            d.read(&mut buf).await
        });
        sim.run_for(ms(5)).unwrap();
        let (buf, at) = sim.join(ping).unwrap();
        assert_eq!(&buf, b"pong");
        // Four bytes there, four back: 8 frames of 10 bits at 115200 baud, each way exact.
        assert_eq!(at.as_nanos(), 2 * UartConfig::new(115_200).byte_end(0, 3));
        assert_eq!(sim.join(mismatch).unwrap(), Err(UartError::Framing));
    });
}

#[test]
fn dropping_an_unbuffered_read_loses_what_it_received_and_a_buffered_one_does_not() {
    for mode in [RxMode::Unbuffered, RxMode::Buffered(64)] {
        fwsim::test(|sim| {
            let board = Board::new();
            // 100 µs per byte: a whole number of embassy ticks, so a timer can land on it.
            let mut uart = board.uart("U", UartConfig::new(100_000).rx(mode));
            let peer = uart.peer();
            let first_end = peer.send_at(SimTime::ZERO, b"A");
            peer.send_at(SimTime::from_millis(5), b"B");
            let task = sim.spawn("reader", async move {
                let mut buf = [0u8; 8];
                // A deadline at the very instant the byte lands: select polls the timer
                // first, so the read is dropped with the byte in its buffer.
                let deadline = Timer::at(Instant::from_micros(first_end.as_micros()));
                let raced = match select(deadline, uart.read(&mut buf)).await {
                    Either::First(()) => None,
                    Either::Second(r) => Some(r.unwrap()),
                };
                let n = uart.read(&mut buf).await.unwrap();
                (raced, buf[..n].to_vec(), uart.lost_on_cancel())
            });
            sim.run_for(ms(10)).unwrap();
            let (raced, next, lost) = sim.join(task).unwrap();
            match mode {
                RxMode::Unbuffered => assert_eq!((raced, next, lost), (None, b"B".to_vec(), 1)),
                RxMode::Buffered(_) => assert_eq!((raced, next, lost), (None, b"A".to_vec(), 0)),
            }
        });
    }
}

#[test]
fn blocking_writes_spend_busy_time_and_no_other_task_runs_meanwhile() {
    fwsim::test(|sim| {
        let board = Board::new();
        let mut uart = board.uart("U", UartConfig::new(9600));
        let peer = uart.peer();
        let order = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let log = order.clone();
        sim.spawn("blocking", async move {
            embedded_io::Write::write_all(&mut uart, b"0123456789").unwrap();
            embedded_io::Write::flush(&mut uart).unwrap();
            log.borrow_mut().push(("flushed", fwsim::now()));
        });
        let log = order.clone();
        sim.spawn("ticker", async move {
            Timer::after_millis(1).await;
            log.borrow_mut().push(("tick", fwsim::now()));
        });
        sim.run_for(ms(20)).unwrap();
        let end = UartConfig::new(9600).byte_end(0, 9);
        // The tick was due at 1 ms, but the blocking task held the CPU until the flush.
        assert_eq!(*order.borrow(), [("flushed", SimTime(end)), ("tick", SimTime(end))]);
        assert_eq!(peer.received_bytes(), b"0123456789");
    });
}

#[test]
fn a_monitor_reads_the_counters_of_a_uart_the_firmware_owns() {
    // What a new user hit: `overruns()` was out of reach once the Uart moved into the firmware.
    fwsim::test(|sim| {
        let board = Board::new();
        let mut uart = board.uart("GPS", UartConfig::new(115_200));
        let monitor = uart.monitor();
        let peer = uart.peer();
        peer.send_at(SimTime::ZERO, &[0x55; 40]);
        sim.spawn("firmware", async move {
            Timer::after_millis(10).await; // busy elsewhere: 8 bytes find the FIFO full
            let mut buf = [0u8; 64];
            let _ = uart.read(&mut buf).await;
        });
        sim.run_for(ms(20)).unwrap();
        assert_eq!((monitor.name(), monitor.overruns()), ("GPS".to_string(), 8));
    });
}
