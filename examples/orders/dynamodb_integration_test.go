//go:build integration

package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// With -store dynamodb the services keep commands, state, views and
// idempotency records in DynamoDB tables (the emulator make test starts),
// created on start; -provisioning validate then finds them in place.
func TestRunOnDynamoDB(t *testing.T) {
	prefix, _ := onDynamoDB(t, "ex")
	args := []string{"-n", "40", "-entities", "4", "-store", "dynamodb", "-table-prefix", prefix}

	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	assert.Contains(t, out.String(), "orders completed:   40")
	assert.Contains(t, out.String(), "idempotency(dynamodb)")

	out.Reset()
	errOut.Reset()
	code = run(context.Background(), append(args, "-provisioning", "validate"), &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	assert.Contains(t, out.String(), "orders completed:   40")

	out.Reset()
	errOut.Reset()
	code = run(context.Background(), []string{"-n", "1", "-store", "dynamodb", "-table-prefix", prefix + "none_", "-provisioning", "validate"}, &out, &errOut)
	assert.NotEqual(t, 0, code)
	assert.Contains(t, errOut.String(), "table "+prefix+"none_commands: missing")
}
