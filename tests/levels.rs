//! The level API: names, detection and forcing, by `Kernels` and by
//! `RELU_KERNELS_LEVEL`.

use relu_kernels::{ALL_LEVELS, Kernels, Level, Threading};

#[test]
fn names_round_trip() {
    for level in ALL_LEVELS {
        assert_eq!(Level::from_name(level.name()), Some(level));
        assert_eq!(Level::from_name(&level.name().to_uppercase()), Some(level));
        assert_eq!(level.to_string(), level.name());
    }
    assert_eq!(Level::from_name("avx1024"), None);
    assert_eq!(Level::from_name("sse2"), None);
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

/// The AVX-512 level needs F, BW, DQ and VL on top of the AVX2 level.
#[cfg(all(target_arch = "x86_64", feature = "std"))]
#[test]
fn avx512_is_detected_at_run_time() {
    use std::arch::is_x86_feature_detected as has;
    let all = has!("avx512f") && has!("avx512bw") && has!("avx512dq") && has!("avx512vl");
    assert_eq!(
        Level::Avx512.is_supported(),
        all && Level::Avx2.is_supported() && !cfg!(miri)
    );
    if Level::Avx512.is_supported() {
        assert_eq!(Level::detected(), Level::Avx512);
    }
}

#[cfg(all(target_arch = "x86_64", not(feature = "std")))]
#[test]
fn without_std_avx2_needs_the_compile_time_target() {
    assert_eq!(
        Level::Avx2.is_supported(),
        cfg!(all(target_feature = "avx2", target_feature = "f16c"))
    );
}

/// `RELU_KERNELS_LEVEL` is read once: an invalid value (an unknown name, or
/// bytes that are not UTF-8) makes the first call panic and every later call
/// panic with the same message. Each case runs in a child process, since
/// the choice is fixed for the life of a process.
#[cfg(feature = "std")]
mod env {
    use std::ffi::OsString;
    use std::panic::{AssertUnwindSafe, catch_unwind};
    use std::process::Command;

    /// Set in the child, which then runs the check instead of spawning.
    const CHILD: &str = "RELU_KERNELS_TEST_CHILD";

    fn panic_message(f: impl FnOnce()) -> String {
        let err = catch_unwind(AssertUnwindSafe(f)).expect_err("did not panic");
        err.downcast_ref::<String>()
            .cloned()
            .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    }

    /// In the child: three calls, three panics, one message.
    fn child_checks(want: &str) {
        std::panic::set_hook(Box::new(|_| {}));
        let first = panic_message(|| {
            relu_kernels::Level::active();
        });
        let second = panic_message(|| relu_kernels::relu_inplace(&mut [1.0f32, -1.0]));
        let third = panic_message(|| {
            relu_kernels::Level::active();
        });
        assert!(first.contains(want), "message {first:?} lacks {want:?}");
        assert!(first.contains("RELU_KERNELS_LEVEL"), "{first:?}");
        assert_eq!(first, second);
        assert_eq!(first, third);
        assert_eq!(relu_kernels::Level::try_active(), Err(first));
    }

    /// Runs `test` of this binary in a child with the level variable set.
    /// Under an emulator (the aarch64 run under qemu) the binary cannot start
    /// itself: `RELU_KERNELS_TEST_RUNNER` names the command that runs it.
    fn in_child(test: &str, value: OsString) {
        let exe = std::env::current_exe().unwrap();
        let mut command = match std::env::var("RELU_KERNELS_TEST_RUNNER") {
            Ok(runner) => {
                let mut words = runner.split_whitespace();
                let mut c = Command::new(words.next().expect("a runner command"));
                c.args(words).arg(exe);
                c
            }
            Err(_) => Command::new(exe),
        };
        let status = command
            .args(["--exact", test, "--nocapture", "--test-threads=1"])
            .env("RELU_KERNELS_LEVEL", value)
            .env(CHILD, "1")
            .status()
            .expect("the test binary runs");
        assert!(status.success(), "child {test} failed");
    }

    #[test]
    fn an_unknown_level_panics_on_every_call_with_one_message() {
        if std::env::var_os(CHILD).is_some() {
            return child_checks("unknown level");
        }
        in_child(
            "env::an_unknown_level_panics_on_every_call_with_one_message",
            "avx513".into(),
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_value_that_is_not_utf8_is_invalid() {
        if std::env::var_os(CHILD).is_some() {
            return child_checks("not valid UTF-8");
        }
        use std::os::unix::ffi::OsStringExt;
        in_child(
            "env::a_value_that_is_not_utf8_is_invalid",
            OsString::from_vec(vec![b'a', 0xff, b'v']),
        );
    }
}
