//! What each step does to the simulation, and how it decides whether it held.

use fwsim::SimTime;
use fwsim_hw::Curve;
use fwsim_hw::i2c::I2cFault;
use fwsim_hw::uart::{UartError, UartPeer};

use crate::app::Part;
use crate::duration::Duration;
use crate::run::Runner;
use crate::scenario::{Action, FaultKind, LineError, Pattern, Quantity, TaskState};
use crate::watch::{Watch, find_text};

/// Why a step did not hold.
#[derive(Debug)]
pub(crate) struct StepError {
    pub(crate) at: SimTime,
    pub(crate) message: String,
    /// The scenario's time limit came first.
    pub(crate) timed_out: bool,
}

impl StepError {
    /// The app could not start its firmware (`App::start` panicked, or named other parts).
    pub(crate) fn start(message: String) -> Self {
        StepError { at: SimTime::ZERO, message, timed_out: false }
    }

    /// The simulation failed while the firmware booted.
    pub(crate) fn boot(e: fwsim::SimError) -> Self {
        StepError {
            at: SimTime::ZERO,
            message: format!("the simulation stopped while the firmware started: {e}"),
            timed_out: false,
        }
    }
}

/// A quantity's curve, its times counted from `from`.
pub(crate) fn quantity_curve(q: &Quantity, from: SimTime) -> Curve {
    match q {
        Quantity::Constant(v) => Curve::constant(*v),
        Quantity::Curve(points) => {
            let mut shifted: Vec<(SimTime, f64)> = Vec::with_capacity(points.len());
            for (t, v) in points {
                let at = from.saturating_add(*t);
                // The loader refused equal times; two can meet only where the clock saturates.
                if shifted.last().is_none_or(|(last, _)| at > *last) {
                    shifted.push((at, *v));
                }
            }
            Curve::new(&shifted)
        }
    }
}

impl Runner<'_, '_> {
    /// Cuts the devices' power and, with `restart`, the MCU's: the firmware's tasks stop and it
    /// boots again, running until it waits (as at the first boot), so that the next step's
    /// stimulus finds it ready.
    fn power_cycle(&self, restart: bool) -> Result<(), StepError> {
        if restart && !self.parts.boots() {
            return Err(self.fail(format!(
                "`power-cycle: true` restarts the firmware, and the app `{}` does not say how its firmware boots \
                 (`Parts::boot`); `power-cycle: peripherals` cuts the devices' power only",
                self.scenario.app
            )));
        }
        self.board.power_cycle();
        if !restart {
            return Ok(());
        }
        self.reboot()
    }

    pub(crate) fn fail(&self, message: impl Into<String>) -> StepError {
        StepError { at: self.sim.now(), message: message.into(), timed_out: false }
    }

    pub(crate) fn sim_error(&self, e: fwsim::SimError) -> StepError {
        self.fail(format!("the simulation stopped: {e}"))
    }

    /// The end of a wait of `within` from now, capped by the scenario's timeout; and whether
    /// the cap applies.
    pub(crate) fn wait_end(&self, within: Option<Duration>) -> (SimTime, bool) {
        let deadline = self.deadline();
        match within {
            Some(w) if self.sim.now().saturating_add(w) < deadline => (self.sim.now().saturating_add(w), false),
            _ => (deadline, true),
        }
    }

    pub(crate) fn timeout(&self, waiting_for: &str) -> StepError {
        StepError {
            at: self.sim.now(),
            message: format!("the scenario's timeout ({}) came while waiting for {waiting_for}", self.scenario.timeout),
            timed_out: true,
        }
    }

    fn peer(&self, part: &str) -> &UartPeer {
        match self.parts.get(part) {
            Some(Part::Serial(p)) => p,
            _ => unreachable!("the loader checked that `{part}` is a serial port"),
        }
    }

    /// Runs one step; a stimulus happens `at` that time when given (not before now).
    pub(crate) fn execute(&mut self, action: &Action, at: Option<Duration>) -> Result<(), StepError> {
        let now = match at {
            Some(at) if at.0 < self.sim.now().as_nanos() => {
                return Err(self.fail(format!(
                    "`at: {at}` is in the past (the scenario is at {}); expected a time not before the step runs",
                    self.sim.now()
                )));
            }
            // A stimulus the scenario's timeout comes before never happens: the scenario times
            // out, as a delay that long would.
            Some(at) if SimTime(at.0) > self.deadline() => {
                self.wait_until(self.deadline(), || false)?;
                return Err(self.timeout(&format!("the stimulus `at: {at}`")));
            }
            Some(at) => SimTime(at.0),
            None => self.sim.now(),
        };
        match action {
            Action::Delay(d) => {
                let (end, capped) = self.wait_end(Some(*d));
                self.wait_until(end, || false)?;
                if capped && now.saturating_add(*d) > end {
                    return Err(self.timeout(&format!("a delay of {d} to end")));
                }
            }
            Action::WaitSerial { part, pattern, within } => self.wait_serial(part, pattern, *within)?,
            Action::WriteSerial { part, bytes } => {
                self.peer(part).send_at(now, bytes);
            }
            Action::ExpectPin { part, high, within } => {
                let Some(Part::Pin(probe)) = self.parts.get(part) else { unreachable!("checked by the loader") };
                let level = |h: bool| if h { "high" } else { "low" };
                match within {
                    None => {
                        // Same-instant events first: what the pin shows at this instant.
                        self.run_to(now)?;
                        if probe.is_high() != *high {
                            return Err(self.fail(format!(
                                "pin `{part}` is {}, expected {}",
                                level(!high),
                                level(*high)
                            )));
                        }
                    }
                    Some(w) => {
                        let (end, capped) = self.wait_end(Some(*w));
                        let held = self.wait_until(end, || probe.is_high() == *high)?;
                        if !held {
                            let what = format!("pin `{part}` to be {} within {w}", level(*high));
                            return Err(if capped {
                                self.timeout(&what)
                            } else {
                                self.fail(format!("expected {what}; it stayed {}", level(!high)))
                            });
                        }
                    }
                }
            }
            Action::SetButton { part, pressed } => {
                let Some(Part::Button(b)) = self.parts.get(part) else { unreachable!("checked by the loader") };
                if *pressed { b.press_at(now) } else { b.release_at(now) }
            }
            Action::Press { part, hold } => {
                let Some(Part::Button(b)) = self.parts.get(part) else { unreachable!("checked by the loader") };
                // What is due at this instant first: an earlier press may be landing now.
                self.run_to(now)?;
                // Under a cost model, a poll that began at `now` can carry the clock a little
                // past it; the press then starts when that busy time ends.
                let now = now.max(self.sim.now());
                if b.is_closed() {
                    return Err(self.fail(format!(
                        "button `{part}` is still pressed (an earlier press holds it for its `hold`); expected it released: add a delay"
                    )));
                }
                b.click_at(now, *hold);
            }
            Action::SetSensor { part, quantity, value } => {
                let Some(Part::Sensor(set)) = self.parts.get(part) else { unreachable!("checked by the loader") };
                set(quantity, quantity_curve(value, now));
            }
            Action::Screenshot { part, save_to, compare_with, within } => {
                self.screenshot(part, save_to.as_deref(), compare_with.as_deref(), *within)?
            }
            Action::I2cFault { part, fault, duration } => {
                let Some(Part::I2cBus(bus)) = self.parts.get(part) else { unreachable!("checked by the loader") };
                let fault = match fault {
                    FaultKind::Nack => I2cFault::Nack,
                    FaultKind::ArbitrationLoss => I2cFault::ArbitrationLoss,
                    FaultKind::StuckSda => I2cFault::StuckSda { until: now.saturating_add(*duration) },
                };
                bus.inject_at(now, fault);
            }
            Action::SerialError { part, error } => {
                let error = match error {
                    LineError::Framing => UartError::Framing,
                    LineError::Parity => UartError::Parity,
                    LineError::Noise => UartError::Noise,
                    LineError::Break => UartError::Break,
                    LineError::Overrun => UartError::Overrun,
                };
                self.peer(part).error_at(now, error);
            }
            Action::PowerCycle { restart } => self.power_cycle(*restart)?,
            Action::ExpectNoDiagnostics => {
                self.run_to(now)?;
                let found = self.unexpected(self.sim.diagnostics());
                if !found.is_empty() {
                    let list: Vec<String> = found.iter().map(ToString::to_string).collect();
                    return Err(self.fail(format!(
                        "expected no diagnostics; found {}: {}",
                        found.len(),
                        list.join("; ")
                    )));
                }
            }
            Action::ExpectTask { name, state } => self.expect_task(name, *state)?,
            Action::ExpectReset { watchdog, within } => self.expect_reset(watchdog, *within)?,
            Action::ExpectIdle { at_least_percent } => {
                self.run_to(now)?;
                let (busy, elapsed) = (self.sim.busy_time(), self.sim.now());
                let idle = crate::report::idle_percent(busy.as_nanos(), elapsed.as_nanos());
                if idle < *at_least_percent {
                    return Err(self.fail(format!(
                        "expected the core idle at least {at_least_percent} % of the time; it was idle {idle:.3} % \
                         (busy {busy} of {elapsed})"
                    )));
                }
            }
            Action::Turn { part, steps, period } => self.turn(part, *steps, *period, now),
            Action::DrivePin { part, high, width } => {
                let Some(Part::Line(pin)) = self.parts.get(part) else { unreachable!("checked by the loader") };
                let level = |h: bool| Some(if h { fwsim_hw::Level::High } else { fwsim_hw::Level::Low });
                pin.drive_at(now, level(*high));
                if let Some(w) = width {
                    pin.drive_at(now.saturating_add(*w), level(!high));
                }
            }
            Action::ExpectText { part, pattern, row, within } => {
                self.expect_display_text(part, pattern, *row, *within)?
            }
        }
        Ok(())
    }

    fn wait_serial(&mut self, part: &str, pattern: &Pattern, within: Option<Duration>) -> Result<(), StepError> {
        let peer = self.peer(part).clone();
        let cursor = self.cursors.get(part).copied().unwrap_or(0);
        let (end, capped) = self.wait_end(within);
        let mut watch = Watch::new(&peer, pattern, cursor);
        let held = self.wait_until(end, || watch.poll().is_some())?;
        match watch.poll() {
            Some(end_index) if held => {
                self.cursors.insert(part.to_string(), end_index);
                Ok(())
            }
            _ => {
                let what = format!("{} on `{part}`", pattern.describe());
                let tail = watch.tail_text(80);
                if capped {
                    let timeout = self.timeout(&what);
                    Err(StepError {
                        message: format!("{}; the port's unmatched output ends {tail:?}", timeout.message),
                        ..timeout
                    })
                } else {
                    Err(self.fail(format!(
                        "expected {what} within {}; the port's unmatched output ends {tail:?}",
                        within.unwrap_or_default()
                    )))
                }
            }
        }
    }

    fn expect_task(&self, name: &str, state: TaskState) -> Result<(), StepError> {
        self.run_to(self.sim.now())?;
        let names = self.sim.trace_names();
        let spawned = (0..names.task_names.len() as u32).any(|s| names.task(s) == name);
        if !spawned {
            let all: Vec<&str> = (0..names.task_names.len() as u32).map(|s| names.task(s)).collect();
            return Err(self.fail(format!("no task named `{name}` was spawned; tasks: {}", all.join(", "))));
        }
        let running = self
            .sim
            .wait_report()
            .waiting
            .iter()
            .any(|t| t.task.rsplit_once('#').map_or(t.task.as_str(), |(n, _)| n) == name);
        let actual = if running { TaskState::Running } else { TaskState::Finished };
        if actual != state {
            return Err(self.fail(format!("task `{name}` is {actual:?}, expected {state:?}").to_lowercase()));
        }
        Ok(())
    }

    /// Wokwi's `--fail-text`: the earliest time the text appeared on any port.
    pub(crate) fn check_fail_text(&self) -> Result<(), StepError> {
        let Some(text) = &self.options.fail_text else { return Ok(()) };
        for (id, peer) in self.serial_ports() {
            let received = peer.received();
            let bytes: Vec<u8> = received.iter().map(|(_, b)| *b).collect();
            if let Some(end) = find_text(&bytes, text.as_bytes()) {
                let at = received.get(end.saturating_sub(1)).map_or(self.sim.now(), |(t, _)| *t);
                return Err(StepError {
                    at,
                    message: format!("the fail text {text:?} appeared on `{id}`"),
                    timed_out: false,
                });
            }
        }
        Ok(())
    }

    /// Wokwi's `--expect-text`: wait for it after the steps.
    pub(crate) fn expect_text(&mut self) -> Result<(), StepError> {
        let Some(text) = self.options.expect_text.clone() else { return Ok(()) };
        let ports: Vec<UartPeer> = self.serial_ports().map(|(_, p)| p.clone()).collect();
        let pattern = Pattern::Text(text.clone());
        let mut watches: Vec<Watch<'_>> = ports.iter().map(|p| Watch::new(p, &pattern, 0)).collect();
        let held = self.wait_until(self.deadline(), || watches.iter_mut().any(|w| w.poll().is_some()))?;
        if held { Ok(()) } else { Err(self.timeout(&format!("the expected text {text:?}"))) }
    }

    /// Error-level diagnostics (a task panic, contention, a datasheet rule broken) fail a run.
    pub(crate) fn check_errors(&self) -> Result<(), StepError> {
        let errors = self.unexpected(self.sim.errors());
        if errors.is_empty() {
            return Ok(());
        }
        let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
        let errors = crate::counted(errors.len() as u64, "error diagnostic");
        Err(self.fail(format!("the firmware caused {errors}: {}", list.join("; "))))
    }
}
