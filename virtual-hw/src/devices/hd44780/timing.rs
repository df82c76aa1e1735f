//! The datasheet's timings the model enforces.

/// Minimum E pulse width (PW_EH), ns.
pub const E_PULSE_MIN_NS: u64 = 450;
/// Minimum enable cycle time (t_cycE), ns.
pub const E_CYCLE_MIN_NS: u64 = 1_000;
/// Execution time of clear display and return home, ns.
pub const SLOW_COMMAND_NS: u64 = 1_520_000;
/// Execution time of the other instructions, ns.
pub const COMMAND_NS: u64 = 37_000;
/// Execution time of a data write (37 µs + t_ADD 4 µs), ns.
pub const DATA_WRITE_NS: u64 = 41_000;
/// Wait after power-on before the first instruction (at VCC = 4.5 V), ns.
pub const POWER_ON_NS: u64 = 15_000_000;
