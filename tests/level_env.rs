//! `RELU_KERNELS_LEVEL` is read once: an invalid value (an unknown name, or
//! bytes that are not UTF-8) makes the first call panic and every later call
//! panic with the same message. Each case runs in a child process, since
//! the choice is fixed for the life of a process.
#![cfg(feature = "std")]

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
        "an_unknown_level_panics_on_every_call_with_one_message",
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
        "a_value_that_is_not_utf8_is_invalid",
        OsString::from_vec(vec![b'a', 0xff, b'v']),
    );
}
