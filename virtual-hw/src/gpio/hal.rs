//! The embedded-hal 1.0, embedded-hal-async and embedded-hal 0.2 traits on [`Pin`].

use super::*;

impl embedded_hal::digital::ErrorType for Pin {
    type Error = Infallible;
}

impl embedded_hal::digital::InputPin for Pin {
    fn is_high(&mut self) -> Result<bool, Infallible> {
        Ok(self.read() == Level::High)
    }
    fn is_low(&mut self) -> Result<bool, Infallible> {
        Ok(self.read() == Level::Low)
    }
}

impl embedded_hal::digital::OutputPin for Pin {
    fn set_low(&mut self) -> Result<(), Infallible> {
        self.write(Level::Low);
        Ok(())
    }
    fn set_high(&mut self) -> Result<(), Infallible> {
        self.write(Level::High);
        Ok(())
    }
}

impl embedded_hal::digital::StatefulOutputPin for Pin {
    fn is_set_high(&mut self) -> Result<bool, Infallible> {
        Ok(self.board.inner.borrow().gpio.pins[self.id].latch == Level::High)
    }
    fn is_set_low(&mut self) -> Result<bool, Infallible> {
        Ok(self.board.inner.borrow().gpio.pins[self.id].latch == Level::Low)
    }
}

impl embedded_hal_async::digital::Wait for Pin {
    async fn wait_for_high(&mut self) -> Result<(), Infallible> {
        self.wait(Want::Level(Level::High)).await;
        Ok(())
    }
    async fn wait_for_low(&mut self) -> Result<(), Infallible> {
        self.wait(Want::Level(Level::Low)).await;
        Ok(())
    }
    async fn wait_for_rising_edge(&mut self) -> Result<(), Infallible> {
        self.wait(Want::Edge(Edge::Rising)).await;
        Ok(())
    }
    async fn wait_for_falling_edge(&mut self) -> Result<(), Infallible> {
        self.wait(Want::Edge(Edge::Falling)).await;
        Ok(())
    }
    async fn wait_for_any_edge(&mut self) -> Result<(), Infallible> {
        self.wait(Want::Edge(Edge::Any)).await;
        Ok(())
    }
}

impl embedded_hal_02::digital::v2::InputPin for Pin {
    type Error = Infallible;
    fn is_high(&self) -> Result<bool, Infallible> {
        Ok(self.read() == Level::High)
    }
    fn is_low(&self) -> Result<bool, Infallible> {
        Ok(self.read() == Level::Low)
    }
}

impl embedded_hal_02::digital::v2::OutputPin for Pin {
    type Error = Infallible;
    fn set_low(&mut self) -> Result<(), Infallible> {
        self.write(Level::Low);
        Ok(())
    }
    fn set_high(&mut self) -> Result<(), Infallible> {
        self.write(Level::High);
        Ok(())
    }
}

impl embedded_hal_02::digital::v2::StatefulOutputPin for Pin {
    fn is_set_high(&self) -> Result<bool, Infallible> {
        Ok(self.board.inner.borrow().gpio.pins[self.id].latch == Level::High)
    }
    fn is_set_low(&self) -> Result<bool, Infallible> {
        Ok(self.board.inner.borrow().gpio.pins[self.id].latch == Level::Low)
    }
}

impl embedded_hal_02::digital::v2::ToggleableOutputPin for Pin {
    type Error = Infallible;
    fn toggle(&mut self) -> Result<(), Infallible> {
        let latch = self.board.inner.borrow().gpio.pins[self.id].latch;
        self.write(latch.flip());
        Ok(())
    }
}
