package iac_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/awsbus/topology/iac"
)

// filteredPlan is a service whose queues subscribe to one topic each, each
// with a filter policy of 150 long type names: about 33 KB of template per
// queue.
func filteredPlan(queues int) topology.Plan {
	subs := map[string]string{}
	for i := range queues {
		subs[fmt.Sprintf("events%02d", i)] = fmt.Sprintf("work%02d", i)
	}
	p := handPlan("work", nil, subs)
	for i := range p.Subscriptions {
		for j := range 150 {
			p.Subscriptions[i].FilterTypes = append(p.Subscriptions[i].FilterTypes,
				fmt.Sprintf("work.%03d.%s", j, strings.Repeat("LongEventName", 14)))
		}
	}
	return p
}

// A template CloudFormation refuses even from S3 is refused at export, with
// what to do instead; a smaller one is rendered.
func TestCloudFormationRefusesATemplateLargerThanCloudFormationTakes(t *testing.T) {
	p := filteredPlan(32) // 192 resources (a queue, its dead-letter queue, their policies, a topic and a subscription each), 1.07 MB

	_, err := iac.CloudFormation(p)

	require.Error(t, err)
	assert.Regexp(t, `the template would be \d{7} bytes, and CloudFormation refuses a template of more than 1000000 bytes, `+
		`even from S3: render the services as Terraform`, err.Error())
	_, err = iac.Terraform(p)
	require.NoError(t, err)

	out, err := iac.CloudFormation(filteredPlan(3))
	require.NoError(t, err, "a template over the inline limit is rendered")
	assert.Greater(t, len(out), iac.MaxTemplateBody)
	assert.LessOrEqual(t, len(out), iac.MaxTemplateSize)
}
