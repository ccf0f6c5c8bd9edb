//! A program that reports the machine it runs on.

fn greeting() -> String {
    format!("hello from {}-{}", std::env::consts::ARCH, std::env::consts::OS)
}

fn main() {
    println!("{}", greeting());
}

#[cfg(test)]
mod tests {
    #[test]
    fn greets_with_the_target_arch() {
        assert!(super::greeting().contains(std::env::consts::ARCH));
    }
}
