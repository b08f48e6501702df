// Package testenv holds what the plugin's tier (c) tests need from the
// host: gates that skip (or, in CI, fail) when root, loop devices or a tool
// are missing; the reference Debian disk images built by
// test/images/build.sh; and thin wrappers over internal/bootcheck, the QEMU
// boot harness the ISO post-processor's boot_test also runs.
package testenv
