//! The two halves of a [`Uart`], for firmware that reads in one task and writes in another
//! (as embassy's UARTs `split()`).

use super::*;

/// The receiving half of a split [`Uart`]: `embedded_io_async::Read`.
pub struct UartRx(Uart);

/// The transmitting half of a split [`Uart`]: `embedded_io_async::Write`.
pub struct UartTx(Uart);

impl Uart {
    /// Splits the UART into a receiver and a transmitter that can live in different tasks.
    pub fn split(self) -> (UartRx, UartTx) {
        let tx = Uart { board: self.board.clone(), id: self.id };
        (UartRx(self), UartTx(tx))
    }
}

impl embedded_io::ErrorType for UartRx {
    type Error = UartError;
}

impl embedded_io::ErrorType for UartTx {
    type Error = UartError;
}

impl embedded_io_async::Read for UartRx {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, UartError> {
        self.0.read(buf).await
    }
}

impl embedded_io_async::Write for UartTx {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, UartError> {
        self.0.write(buf).await
    }

    async fn flush(&mut self) -> Result<(), UartError> {
        self.0.flush().await
    }
}
