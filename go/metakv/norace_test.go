//go:build !race

package metakv_test

const raceEnabled = false
