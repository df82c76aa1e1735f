//! `#[fwsim::test]`: an `async fn` test body run in fwsim's virtual time, as `#[tokio::test]`
//! runs one on tokio. Use it through `fwsim` (`#[fwsim::test]`), which re-exports it.
//!
//! ```text
//! #[fwsim::test]                                            // once, embassy's order, checked for determinism
//! #[fwsim::test(order = "micropython")]                     // once, another run order
//! #[fwsim::test(explorer = "random", iterations = 2000)]    // schedule fuzzing
//! #[fwsim::test(explorer = "pct", depth = 3)]
//! #[fwsim::test(explorer = "dfs", bound = 2)]               // every schedule with ≤ 2 deviations
//! ```
//!
//! The body is the simulation's `main` task; it may spawn others with `fwsim::spawn` and
//! return `()` or a `Result<(), E: Debug>`. With an explorer the test is a
//! `fwsim::fuzz::Fuzz` campaign (iterations 1,000 unless given; the explorer deviates from
//! `order`, FIFO unless given), and `FWSIM_SEED`, `FWSIM_ITERATIONS`, `FWSIM_TIME_LIMIT` and
//! `FWSIM_REPLAY` apply.

use proc_macro::TokenStream;
use proc_macro2::Span;
use quote::quote;
use syn::{Error, ItemFn, LitInt, LitStr, parse_macro_input};

/// The attribute's arguments.
#[derive(Default)]
struct Args {
    explorer: Option<LitStr>,
    order: Option<LitStr>,
    iterations: Option<LitInt>,
    depth: Option<LitInt>,
    bound: Option<LitInt>,
}

impl Args {
    fn parse(&mut self, meta: syn::meta::ParseNestedMeta) -> syn::Result<()> {
        let key = meta.path.get_ident().map(ToString::to_string).unwrap_or_default();
        match key.as_str() {
            "explorer" => self.explorer = Some(meta.value()?.parse()?),
            "order" => self.order = Some(meta.value()?.parse()?),
            "iterations" => self.iterations = Some(meta.value()?.parse()?),
            "depth" => self.depth = Some(meta.value()?.parse()?),
            "bound" => self.bound = Some(meta.value()?.parse()?),
            _ => {
                return Err(meta.error("fwsim::test: expected `explorer`, `order`, `iterations`, `depth` or `bound`"));
            }
        }
        Ok(())
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
            if let Some(extra) = [&args.iterations, &args.depth, &args.bound].into_iter().flatten().next() {
                return Err(Error::new(extra.span(), "fwsim::test: this needs an `explorer`"));
            }
            let order = args.order("embassy")?;
            quote!(::fwsim::test_with(::fwsim::SimConfig::new().order(#order), #run_body);)
        }
        Some(explorer) => {
            let strategy = args.strategy(explorer)?;
            let order = args.order("fifo")?;
            let iterations = args.iterations.as_ref().map(|n| quote!(.iterations(#n)));
            quote!(::fwsim::fuzz::Fuzz::new(#strategy).order(#order) #iterations .run(#run_body);)
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
