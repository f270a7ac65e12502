package fieldcheck

import (
	"cmp"
	"fmt"
)

// AtLeast reports v below lowest.
func AtLeast[T cmp.Ordered](field string, v, lowest T) error {
	if v < lowest {
		return fmt.Errorf("%s: %v, must be at least %v", field, v, lowest)
	}
	return nil
}

// NotNegative reports v below zero.
func NotNegative[T cmp.Ordered](field string, v T) error {
	var zero T
	if v < zero {
		return fmt.Errorf("%s: %v, must not be negative", field, v)
	}
	return nil
}

// Within reports v outside [lowest, highest].
func Within[T cmp.Ordered](field string, v, lowest, highest T) error {
	if v < lowest || v > highest {
		return fmt.Errorf("%s: %v, must be %v..%v", field, v, lowest, highest)
	}
	return nil
}

// Required reports a field that is not set (set false).
func Required(field string, set bool) error {
	if !set {
		return fmt.Errorf("%s is required", field)
	}
	return nil
}

// Positive reports v at or below zero.
func Positive[T cmp.Ordered](field string, v T) error {
	var zero T
	if v <= zero {
		return fmt.Errorf("%s: %v, must be above zero", field, v)
	}
	return nil
}
