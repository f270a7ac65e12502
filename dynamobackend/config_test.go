package dynamobackend_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/dynamobackend"
)

// TestNew_RefusesAnInvalidConfig runs without DynamoDB: every case is
// refused before any request.
func TestNew_RefusesAnInvalidConfig(t *testing.T) {
	client := dynamodb.New(dynamodb.Options{Region: "us-east-1"})
	testCases := []struct {
		name string
		cfg  dynamobackend.Config
		says string
	}{
		{"no client", dynamobackend.Config{}, "Client is required"},
		{"bad prefix", dynamobackend.Config{Client: client, TablePrefix: "no spaces "}, "TablePrefix"},
		{"long outbox prefix", dynamobackend.Config{Client: client, OutboxPrefix: strings.Repeat("a", 200)}, "OutboxPrefix: 200 bytes"},
		{"unknown provisioning", dynamobackend.Config{Client: client, Provisioning: topology.Provisioning(9)}, "Provisioning: 9"},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := dynamobackend.New(context.Background(), tc.cfg)
			require.Error(t, err)
			assert.Nil(t, b)
			assert.ErrorIs(t, err, dynamobackend.ErrInvalidConfig)
			assert.Contains(t, err.Error(), tc.says)
			assert.Equal(t, err.Error(), tc.cfg.Validate().Error(), "Validate and New disagree")
			assert.Equal(t, 1, strings.Count(err.Error(), tc.says), "a problem was reported twice")
		})
	}
}
