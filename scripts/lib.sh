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
