//! The console's frame (top bar, navigation) and the sign-in page.

pub mod console;
pub mod signin;

pub use console::Console;
