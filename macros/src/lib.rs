//! `#[fwsim::test]`: an `async fn` test body run in fwsim's virtual time, as `#[tokio::test]`
//! runs one on tokio. Use it through `fwsim` (`#[fwsim::test]`), which re-exports it.
//!
//! ```text
//! #[fwsim::test]                                            // once, embassy's order, checked for determinism
//! #[fwsim::test(order = "micropython")]                     // once, another run order
//! #[fwsim::test(explorer = "random", iterations = 2000)]    // schedule fuzzing
//! #[fwsim::test(explorer = "pct", depth = 3)]
//! #[fwsim::test(explorer = "dfs", bound = 2)]               // every schedule with ≤ 2 deviations
//! // only what embassy's scheduler could do: interrupts up to 2 ms late, landing inside polls
//! #[fwsim::test(explorer = "dfs", bound = 1, realizable, isr_jitter = "2ms", isr_preemption)]
//! ```
//!
//! The body is the simulation's `main` task; it may spawn others with `fwsim::spawn` and
//! return `()` or a `Result<(), E: Debug>`. With an explorer the test is a
//! `fwsim::fuzz::Fuzz` campaign (iterations 1,000 unless given, and never 0; the explorer
//! deviates from `order`, FIFO unless given), and `FWSIM_SEED`, `FWSIM_ITERATIONS`,
//! `FWSIM_TIME_LIMIT`, `FWSIM_REPLAY` and `FWSIM_PROGRESS` apply.
//!
//! The interrupt knobs need an explorer, since without one every interrupt is on time and
//! between polls:
//! - `realizable`: `Fuzz::realizable`, the run order's own task order (the order defaults to
//!   `"embassy"` then);
//! - `isr_jitter = "2ms"` (`ns`, `us`, `ms`, `s`; or any expression implementing
//!   `fwsim::IntoNanos`) and `jitter_steps = 5` (the default): `SimConfig::isr_jitter`;
//! - `isr_preemption`: `SimConfig::isr_preemption(true)`.

use proc_macro::TokenStream;
use proc_macro2::Span;
use quote::quote;
use syn::spanned::Spanned;
use syn::{Error, ItemFn, LitInt, LitStr, parse_macro_input};

/// The attribute's arguments.
#[derive(Default)]
struct Args {
    explorer: Option<LitStr>,
    order: Option<LitStr>,
    iterations: Option<LitInt>,
    depth: Option<LitInt>,
    bound: Option<LitInt>,
    realizable: Option<Span>,
    isr_jitter: Option<syn::Expr>,
    jitter_steps: Option<LitInt>,
    isr_preemption: Option<Span>,
}

/// `lit`, if it is a whole number of at least 1: zero `iterations` would make a test that
/// cannot fail, and PCT's `depth` counts the choice points a bug needs.
fn at_least_one(lit: LitInt, key: &str, why: &str) -> syn::Result<LitInt> {
    if lit.base10_parse::<u64>()? == 0 {
        return Err(Error::new(lit.span(), format!("fwsim::test: `{key}` must be 1 or more: {why}")));
    }
    Ok(lit)
}

/// The keys the attribute takes, for the error that names them.
const KEYS: &str = "`explorer`, `order`, `iterations`, `depth`, `bound`, `realizable`, `isr_jitter`, `jitter_steps` or `isr_preemption`";

impl Args {
    fn parse(&mut self, meta: syn::meta::ParseNestedMeta) -> syn::Result<()> {
        let key = meta.path.get_ident().map(ToString::to_string).unwrap_or_default();
        match key.as_str() {
            "explorer" => self.explorer = Some(meta.value()?.parse()?),
            "order" => self.order = Some(meta.value()?.parse()?),
            "iterations" => {
                self.iterations =
                    Some(at_least_one(meta.value()?.parse()?, "iterations", "0 would never run the body, and pass")?)
            }
            "depth" => {
                self.depth = Some(at_least_one(
                    meta.value()?.parse()?,
                    "depth",
                    "it counts the choice points a bug needs (1: no priority change)",
                )?)
            }
            "bound" => self.bound = Some(meta.value()?.parse()?),
            "realizable" => self.realizable = flag(&meta)?.then(|| meta.path.span()),
            "isr_jitter" => self.isr_jitter = Some(meta.value()?.parse()?),
            "jitter_steps" => self.jitter_steps = Some(meta.value()?.parse()?),
            "isr_preemption" => self.isr_preemption = flag(&meta)?.then(|| meta.path.span()),
            _ => return Err(meta.error(format!("fwsim::test: expected {KEYS}"))),
        }
        Ok(())
    }

    /// The configuration each execution starts from: the default, with the interrupt knobs.
    fn config(&self) -> syn::Result<proc_macro2::TokenStream> {
        let mut config = quote!(::fwsim::SimConfig::new());
        if let Some(jitter) = &self.isr_jitter {
            let max = nanos(jitter)?;
            let steps = match &self.jitter_steps {
                None => quote!(5),
                Some(s) if s.base10_parse::<u32>()? >= 2 => quote!(#s),
                Some(s) => {
                    return Err(Error::new(
                        s.span(),
                        "fwsim::test: `jitter_steps` must be 2 or more (on time, and late)",
                    ));
                }
            };
            config = quote!(#config.isr_jitter(#max, #steps));
        } else if let Some(steps) = &self.jitter_steps {
            return Err(Error::new(steps.span(), "fwsim::test: `jitter_steps` needs `isr_jitter`"));
        }
        if self.isr_preemption.is_some() {
            config = quote!(#config.isr_preemption(true));
        }
        Ok(config)
    }

    /// The first knob given that only an explorer uses.
    fn explorer_only(&self) -> Option<Span> {
        let ints = [&self.iterations, &self.depth, &self.bound, &self.jitter_steps];
        let flags = [self.realizable, self.isr_preemption];
        ints.into_iter()
            .flatten()
            .map(LitInt::span)
            .chain(flags.into_iter().flatten())
            .chain(self.isr_jitter.as_ref().map(Spanned::span))
            .next()
    }

    fn order(&self, default: &str) -> syn::Result<proc_macro2::TokenStream> {
        let (name, span) =
            self.order.as_ref().map_or((default.to_owned(), Span::call_site()), |o| (o.value(), o.span()));
        Ok(match name.as_str() {
            "embassy" => quote!(::fwsim::Order::Embassy),
            "micropython" => quote!(::fwsim::Order::MicroPython),
            "fifo" => quote!(::fwsim::Order::Fifo),
            other => {
                return Err(Error::new(
                    span,
                    format!("fwsim::test: unknown order {other:?}; expected \"embassy\", \"micropython\" or \"fifo\""),
                ));
            }
        })
    }

    fn strategy(&self, explorer: &LitStr) -> syn::Result<proc_macro2::TokenStream> {
        let misplaced = |lit: &Option<LitInt>, key: &str| match lit {
            Some(l) => Err(Error::new(
                l.span(),
                format!("fwsim::test: `{key}` does not apply to explorer {:?}", explorer.value()),
            )),
            None => Ok(()),
        };
        Ok(match explorer.value().as_str() {
            "random" => {
                misplaced(&self.depth, "depth")?;
                misplaced(&self.bound, "bound")?;
                quote!(::fwsim::fuzz::Strategy::Random)
            }
            "pct" => {
                misplaced(&self.bound, "bound")?;
                let depth = self.depth.as_ref().map_or(quote!(2), |d| quote!(#d));
                quote!(::fwsim::fuzz::Strategy::Pct { depth: #depth })
            }
            "dfs" => {
                misplaced(&self.depth, "depth")?;
                let bound = self.bound.as_ref().map_or(quote!(2), |b| quote!(#b));
                quote!(::fwsim::fuzz::Strategy::Dfs { bound: #bound })
            }
            other => {
                return Err(Error::new(
                    explorer.span(),
                    format!("fwsim::test: unknown explorer {other:?}; expected \"random\", \"pct\" or \"dfs\""),
                ));
            }
        })
    }
}

/// A bare key (`realizable`) or one set to a boolean (`realizable = false`).
fn flag(meta: &syn::meta::ParseNestedMeta) -> syn::Result<bool> {
    if meta.input.peek(syn::Token![=]) { Ok(meta.value()?.parse::<syn::LitBool>()?.value) } else { Ok(true) }
}

/// A duration in nanoseconds: a string such as `"2ms"` read here, so that a typo is a compile
/// error, or any expression implementing `fwsim::IntoNanos`, passed through.
fn nanos(expr: &syn::Expr) -> syn::Result<proc_macro2::TokenStream> {
    let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(text), .. }) = expr else {
        return Ok(quote!(#expr));
    };
    let value = text.value();
    let digits = value.find(|c: char| !c.is_ascii_digit()).unwrap_or(value.len());
    let scale: Option<u64> = match &value[digits..] {
        "ns" => Some(1),
        "us" => Some(1_000),
        "ms" => Some(1_000_000),
        "s" => Some(1_000_000_000),
        _ => None,
    };
    let bad = |why: &str| Err(Error::new(text.span(), format!("fwsim::test: `{value}` {why}")));
    let Some(scale) = scale else {
        return bad("is not a duration; expected a whole number and ns, us, ms or s, as in \"2ms\"");
    };
    match value[..digits].parse::<u64>().ok().map(|n| n.checked_mul(scale)) {
        Some(Some(ns)) => Ok(quote!(::core::time::Duration::from_nanos(#ns))),
        Some(None) => bad("is too long a duration (the limit is about 584 years)"),
        None => bad("is not a duration; expected a whole number and ns, us, ms or s, as in \"2ms\""),
    }
}

/// Runs an `async fn` test body in virtual time; see the [crate docs](crate).
#[proc_macro_attribute]
pub fn test(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut args = Args::default();
    let parser = syn::meta::parser(|meta| args.parse(meta));
    parse_macro_input!(attr with parser);
    let function = parse_macro_input!(item as ItemFn);
    expand(&args, function).unwrap_or_else(Error::into_compile_error).into()
}

fn expand(args: &Args, function: ItemFn) -> syn::Result<proc_macro2::TokenStream> {
    let sig = &function.sig;
    if sig.asyncness.is_none() {
        return Err(Error::new_spanned(sig.fn_token, "fwsim::test: the test must be an `async fn`"));
    }
    if !sig.inputs.is_empty() {
        return Err(Error::new_spanned(&sig.inputs, "fwsim::test: the test takes no arguments"));
    }
    let (attrs, vis, name) = (&function.attrs, &function.vis, &sig.ident);
    let mut inner = function.clone();
    inner.attrs.clear();
    inner.vis = syn::Visibility::Inherited;
    let run_body = quote! {
        |sim| {
            let outcome = sim.block_on(#name()).unwrap_or_else(|e| panic!("{e}"));
            ::fwsim::fuzz::Outcome::check(outcome);
        }
    };
    let run = match &args.explorer {
        None => {
            if let Some(extra) = args.explorer_only() {
                return Err(Error::new(extra, "fwsim::test: this needs an `explorer`"));
            }
            let order = args.order("embassy")?;
            quote!(::fwsim::test_with(::fwsim::SimConfig::new().order(#order), #run_body);)
        }
        Some(explorer) => {
            let strategy = args.strategy(explorer)?;
            // Realizable exploration keeps a real scheduler's order; FIFO is none.
            let order = args.order(if args.realizable.is_some() { "embassy" } else { "fifo" })?;
            let config = args.config()?;
            let realizable = args.realizable.map(|_| quote!(.realizable()));
            let iterations = args.iterations.as_ref().map(|n| quote!(.iterations(#n)));
            quote! {
                ::fwsim::fuzz::Fuzz::new(#strategy).config(#config).order(#order) #realizable #iterations
                    .run(#run_body);
            }
        }
    };
    Ok(quote! {
        #[::core::prelude::v1::test]
        #(#attrs)*
        #vis fn #name() {
            #inner
            #run
        }
    })
}

#[cfg(test)]
mod tests;
