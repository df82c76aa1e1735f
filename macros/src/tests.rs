//! What the attribute expands to, and the errors it gives, read off its token streams (the
//! errors' spans point into the user's attribute; their messages are checked here).

use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::Parser;

use super::{Args, expand};

/// The expansion of `#[fwsim::test(attr)] async fn t() {}`, or the first error's message.
fn expand_attr(attr: TokenStream) -> Result<String, String> {
    let mut args = Args::default();
    syn::meta::parser(|meta| args.parse(meta)).parse2(attr).map_err(|e| e.to_string())?;
    let function: syn::ItemFn = syn::parse_quote!(
        async fn t() {}
    );
    expand(&args, function).map(|tokens| tokens.to_string()).map_err(|e| e.to_string())
}

fn error(attr: TokenStream) -> String {
    expand_attr(attr).expect_err("the attribute is refused")
}

#[test]
fn the_interrupt_keys_configure_a_realizable_campaign_around_embassy() {
    let out = expand_attr(quote!(explorer = "dfs", bound = 1, realizable, isr_jitter = "2ms", isr_preemption)).unwrap();
    let squeezed: String = out.split_whitespace().collect();
    assert!(squeezed.contains("isr_jitter(::core::time::Duration::from_nanos(2000000u64),5)"), "{out}");
    assert!(squeezed.contains(".isr_preemption(true)"), "{out}");
    assert!(squeezed.contains(".order(::fwsim::Order::Embassy).realizable()"), "{out}");
    let any_order = expand_attr(quote!(explorer = "dfs")).unwrap();
    assert!(any_order.contains("Fifo") && !any_order.contains("realizable"), "{any_order}");
    let off = expand_attr(quote!(explorer = "dfs", realizable = false, isr_preemption = false)).unwrap();
    assert!(!off.contains("realizable") && !off.contains("isr_preemption"), "{off}");
}

#[test]
fn a_jitter_may_be_any_duration_expression() {
    let out = expand_attr(quote!(
        explorer = "random",
        isr_jitter = embassy_time::Duration::from_micros(500),
        jitter_steps = 3
    ))
    .unwrap();
    let squeezed: String = out.split_whitespace().collect();
    assert!(squeezed.contains("isr_jitter(embassy_time::Duration::from_micros(500),3)"), "{out}");
}

#[test]
fn interrupt_keys_without_an_explorer_are_refused() {
    for attr in [quote!(isr_preemption), quote!(realizable), quote!(isr_jitter = "1ms"), quote!(iterations = 5)] {
        assert!(error(attr.clone()).contains("this needs an `explorer`"), "{attr}");
    }
}

#[test]
fn bad_durations_and_step_counts_are_refused_with_what_was_expected() {
    let bad = error(quote!(explorer = "dfs", isr_jitter = "2 ms"));
    assert!(bad.contains("`2 ms` is not a duration; expected a whole number and ns, us, ms or s"), "{bad}");
    assert!(error(quote!(explorer = "dfs", isr_jitter = "2h")).contains("is not a duration"));
    assert!(error(quote!(explorer = "dfs", isr_jitter = "99999999999s")).contains("too long a duration"));
    assert!(error(quote!(explorer = "dfs", jitter_steps = 3)).contains("`jitter_steps` needs `isr_jitter`"));
    let one = error(quote!(explorer = "dfs", isr_jitter = "2ms", jitter_steps = 1));
    assert!(one.contains("`jitter_steps` must be 2 or more"), "{one}");
}

#[test]
fn unknown_keys_and_misplaced_ones_are_named() {
    let unknown = error(quote!(explorer = "dfs", preemption));
    assert!(unknown.contains("expected `explorer`, `order`,") && unknown.contains("`isr_preemption`"), "{unknown}");
    assert!(error(quote!(explorer = "random", depth = 2)).contains("`depth` does not apply to explorer \"random\""));
    assert!(error(quote!(explorer = "dfs", order = "tokio")).contains("unknown order \"tokio\""));
}

#[test]
fn zero_iterations_or_depth_is_refused() {
    let none = error(quote!(explorer = "random", iterations = 0));
    assert!(none.contains("`iterations` must be 1 or more") && none.contains("never run the body"), "{none}");
    let flat = error(quote!(explorer = "pct", depth = 0));
    assert!(flat.contains("`depth` must be 1 or more"), "{flat}");
    assert!(expand_attr(quote!(explorer = "pct", depth = 1, iterations = 1)).is_ok());
}
