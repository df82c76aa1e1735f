//! One file per bug: its scenario and its [`Bug`](crate::Bug) entry.

pub mod barrier_reuse;
pub mod condition_if_for_while;
pub mod delay_ms_stale_trigger;
pub mod event_check_then_register;
pub mod flag_keeps_stale_waker;
pub mod flag_split_sections;
pub mod lock_barging;
pub mod lock_cancel_loses_handoff;
pub mod message_clear_before_wait;
pub mod queue_cancel_keeps_promise;
pub mod queue_putter_not_woken;
pub mod semaphore_over_release;
pub mod wait_for_drops_completion;
