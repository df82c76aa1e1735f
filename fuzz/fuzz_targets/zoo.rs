//! Coverage-guided schedule search: the input's first byte picks a bug of the zoo, the rest is
//! the schedule (byte `i` answers choice point `i`, see `fwsim::explore::Stream`). A crash is
//! a schedule that breaks the mutant; `cargo fuzz run zoo` finds one in seconds, and
//! ClusterFuzzLite/OSS-Fuzz run the same target. For firmware of your own, copy this file
//! and call your test body instead.
#![no_main]

use std::sync::{Arc, Mutex};

use fwsim::explore::Stream;
use fwsim::Order;
use fwsim_zoo::ZOO;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, schedule)) = data.split_first() else { return };
    let bug = &ZOO[which as usize % ZOO.len()];
    let explorer = Arc::new(Mutex::new(Stream::new(schedule)));
    let config = (bug.config)().order(Order::Fifo).explorer(explorer).no_trace();
    fwsim::scope(config, |sim| bug.body(true)(sim));
});
