//go:build race

package metakv_test

const raceEnabled = true
