//! The tutorial example prints exactly the tutorial's ten lines.

#[allow(dead_code)]
#[path = "../examples/tutorial.rs"]
mod tutorial;

#[test]
fn tutorial_prints_the_tutorial_lines() {
    let want = [
        "Applying Relu on (1.0) gives 1.0",
        "Applying Relu on (-10.0) gives 0.0",
        "Applying Relu on (0.0) gives 0.0",
        "Applying Relu on (15.0) gives 15.0",
        "Applying Relu on (-20.0) gives 0.0",
        "Applying Leaky Relu on (1.0) gives 1.0",
        "Applying Leaky Relu on (-10.0) gives -0.1",
        "Applying Leaky Relu on (0.0) gives 0.0",
        "Applying Leaky Relu on (15.0) gives 15.0",
        "Applying Leaky Relu on (-20.0) gives -0.2",
    ];
    assert_eq!(tutorial::tutorial_lines(), want);
}
