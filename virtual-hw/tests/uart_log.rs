//! What a UART's peer keeps of the firmware's output: all of it, or the latest bytes under a
//! limit, indexed from the first byte ever sent.

use embedded_io_async::Write;
use fwsim::secs;
use fwsim_hw::Board;
use fwsim_hw::uart::UartConfig;

#[test]
fn a_received_limit_keeps_the_latest_bytes_and_indexes_stay_absolute() {
    fwsim::test(|sim| {
        let board = Board::new();
        let mut uart = board.uart("U", UartConfig::new(115_200));
        let peer = uart.peer();
        peer.set_received_limit(Some(100));
        sim.spawn("tx", async move {
            for i in 0..1_000u32 {
                uart.write_all(&[(i % 251) as u8]).await.unwrap();
            }
        });
        sim.run_for(secs(1)).unwrap();
        assert_eq!(peer.received_count(), 1_000);
        let kept = peer.received();
        assert!((100..=125).contains(&kept.len()), "kept {}", kept.len());
        assert_eq!(peer.dropped() + kept.len() as u64, 1_000);
        // Byte 990 is (990 % 251) = 237, wherever the window starts.
        let tail = peer.received_since(990);
        assert_eq!(tail.len(), 10);
        assert_eq!(tail[0].1, 237);
        assert_eq!(peer.received_since(2_000), []);
        assert_eq!(peer.received_since(0).len(), kept.len(), "dropped bytes are gone");
    });
}

#[test]
fn without_a_limit_everything_is_kept() {
    fwsim::test(|sim| {
        let board = Board::new();
        let mut uart = board.uart("U", UartConfig::new(115_200));
        let peer = uart.peer();
        sim.spawn("tx", async move { uart.write_all(&[7; 300]).await.unwrap() });
        sim.run_for(secs(1)).unwrap();
        assert_eq!((peer.received().len(), peer.dropped(), peer.received_count()), (300, 0, 300));
        assert_eq!(peer.received_since(295).len(), 5);
    });
}
