// Package fieldcheck phrases the checks a Config's Validate makes, so that
// every package reports a bad field the same way, "Field: value, must ...",
// and a Validate reads as the list of its rules:
//
//	return errors.Join(
//		fieldcheck.AtLeast("MaxDeliveries", c.MaxDeliveries, 1),
//		fieldcheck.NotNegative("RedeliveryDelay", c.RedeliveryDelay),
//	)
//
// Each check returns nil when the value is valid; errors.Join drops the
// nils. It is internal: it only serves the module's own packages.
package fieldcheck
