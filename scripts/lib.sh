# Sourced by the scripts: where things live, as the launcher finds them.

# crossflake's cache directory (src/support/paths.rs: $CROSSFLAKE_CACHE_DIR, else
# $XDG_CACHE_HOME/crossflake, else ~/.cache/crossflake; empty counts as unset).
crossflake_cache_dir() {
  printf '%s\n' "${CROSSFLAKE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/crossflake}"
}

# The machine's Debian mirror: the deb822 sources' first URIs, else the first
# one-line `deb` source of Debian; empty when there is none.
debian_mirror() {
  local mirror
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
  [ -n "$mirror" ] || mirror=$(awk '/^deb / && (/debian/ || /bookworm/) {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
  printf '%s\n' "$mirror"
}

# cargo's bin directory, as rustup puts it there ($CARGO_HOME/bin, else ~/.cargo/bin).
cargo_bin_dir() {
  printf '%s\n' "${CARGO_HOME:-$HOME/.cargo}/bin"
}

# The Debian release the scripts support, from /etc/os-release: prints 12
# (bookworm) or 13 (trixie); fails on any other system.
debian_release() {
  local id codename
  id=$(. /etc/os-release 2>/dev/null && printf '%s' "${ID:-}")
  codename=$(. /etc/os-release 2>/dev/null && printf '%s' "${VERSION_CODENAME:-}")
  case "$id:$codename" in
    debian:bookworm) echo 12 ;;
    debian:trixie) echo 13 ;;
    *) return 1 ;;
  esac
}

# The system's name for messages ("Ubuntu 24.04.1 LTS", "Debian GNU/Linux trixie/sid").
os_pretty_name() {
  (. /etc/os-release 2>/dev/null && printf '%s\n' "${PRETTY_NAME:-${ID:-an unknown system}}") || echo "a system without /etc/os-release"
}
