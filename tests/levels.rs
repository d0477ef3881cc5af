//! The level API: names, detection and forcing.

use relu_kernels::{ALL_LEVELS, Kernels, Level, Threading};

#[test]
fn names_round_trip() {
    for level in ALL_LEVELS {
        assert_eq!(Level::from_name(level.name()), Some(level));
        assert_eq!(Level::from_name(&level.name().to_uppercase()), Some(level));
        assert_eq!(level.to_string(), level.name());
    }
    assert_eq!(Level::from_name("avx512"), None);
}

#[test]
fn detected_and_active_are_supported() {
    assert!(Level::detected().is_supported());
    assert!(Level::active().is_supported());
    assert!(Level::Scalar.is_supported() && Level::Portable.is_supported());
    if std::env::var(relu_kernels::LEVEL_ENV).is_err() {
        assert_eq!(Level::active(), Level::detected());
    }
}

#[test]
fn kernels_refuse_unsupported_levels() {
    for level in ALL_LEVELS {
        let k = Kernels::new(level, Threading::Auto);
        assert_eq!(k.is_some(), level.is_supported());
        if let Some(k) = k {
            assert_eq!((k.level(), k.threading()), (level, Threading::Auto));
        }
    }
}

/// The AVX2 level needs F16C too (the 16-bit formats convert with it).
#[cfg(all(target_arch = "x86_64", feature = "std"))]
#[test]
fn avx2_is_detected_at_run_time() {
    assert_eq!(
        Level::Avx2.is_supported(),
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("f16c")
    );
}

#[cfg(all(target_arch = "x86_64", not(feature = "std")))]
#[test]
fn without_std_avx2_needs_the_compile_time_target() {
    assert_eq!(
        Level::Avx2.is_supported(),
        cfg!(all(target_feature = "avx2", target_feature = "f16c"))
    );
}
