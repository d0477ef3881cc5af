//! The per-channel ops on every path and level against the reference,
//! bit for bit (`forward`: bias + activation and PReLU; `grads`: the
//! backward passes with a parameter gradient, and their sums' accuracy).

mod forward;
mod grads;

use relu_kernels::{ALL_LEVELS, Kernels, Threading};

#[derive(Clone, Copy, Debug)]
pub enum Path {
    Scalar,
    Simd,
    #[cfg(feature = "rayon")]
    Par,
    Root,
    Kernels(Kernels),
}

pub fn paths() -> Vec<Path> {
    let mut paths = vec![Path::Scalar, Path::Simd, Path::Root];
    #[cfg(feature = "rayon")]
    paths.push(Path::Par);
    for level in ALL_LEVELS {
        for threading in [Threading::Serial, Threading::Parallel, Threading::Auto] {
            paths.extend(Kernels::new(level, threading).map(Path::Kernels));
        }
    }
    paths
}

/// Each level's serial kernel alone.
pub fn serial_paths() -> Vec<Path> {
    ALL_LEVELS
        .into_iter()
        .filter_map(|level| Kernels::new(level, Threading::Serial))
        .map(Path::Kernels)
        .collect()
}

/// `$name(args)` through `path`.
macro_rules! via {
    ($path:expr, $name:ident($($a:expr),*)) => {
        match $path {
            Path::Scalar => relu_kernels::scalar::channels::$name($($a),*),
            Path::Simd => relu_kernels::simd::channels::$name($($a),*),
            #[cfg(feature = "rayon")]
            Path::Par => relu_kernels::par::channels::$name($($a),*),
            Path::Root => relu_kernels::channels::$name($($a),*),
            Path::Kernels(k) => k.$name($($a),*),
        }
    };
}

pub(crate) use via;
