package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// noteCreateMode notes on standard error that the identity policy pol
// printed is a create-mode one, by default rather than asked for: create
// mode lets the running service change what it creates, which a production
// runtime role should not. The note names the attribute calls pol grants,
// where it grants them.
func noteCreateMode(cmd *cobra.Command, cfg topology.IAMConfig, keyPolicy bool, pol topology.IAMPolicy) {
	if keyPolicy || cfg.Provisioning != topology.ProvisionCreate || cmd.Flags().Changed("provisioning") {
		return
	}
	fmt.Fprintln(cmd.ErrOrStderr(), "Note: this is the policy of --provisioning create, the default: the running service "+
		"may change what it creates ("+strings.Join(attributeWrites(pol), ", ")+"). For a production runtime "+
		"role, print the policy with --provisioning assume and run sourceflow apply from a deploy role; pass "+
		"--provisioning create to keep create mode without this note.")
}

// attributeWrites describes the attribute calls pol grants:
// sqs:SetQueueAttributes, sns:SetTopicAttributes naming its topics, and
// sns:SetSubscriptionAttributes, each only when granted.
func attributeWrites(pol topology.IAMPolicy) []string {
	var out []string
	if len(grantedOn(pol, "sqs:SetQueueAttributes")) > 0 {
		out = append(out, "sqs:SetQueueAttributes on the queues it consumes and their dead-letter queues")
	}
	switch topics := grantedOn(pol, "sns:SetTopicAttributes"); len(topics) {
	case 0:
	case 1:
		out = append(out, "sns:SetTopicAttributes on the topic "+topics[0])
	default:
		out = append(out, "sns:SetTopicAttributes on the topics "+strings.Join(topics, ", "))
	}
	if len(grantedOn(pol, "sns:SetSubscriptionAttributes")) > 0 {
		out = append(out, "sns:SetSubscriptionAttributes on the subscriptions of the topics it listens to")
	}
	return out
}

// grantedOn returns the names (the last field of the ARN) of the resources
// pol grants action on, sorted and distinct; patterns ("<topic ARN>:*")
// are left out.
func grantedOn(pol topology.IAMPolicy, action string) []string {
	var out []string
	for _, s := range pol.Statement {
		if !slices.Contains(s.Action, action) {
			continue
		}
		for _, r := range s.Resource {
			if !strings.Contains(r, "*") {
				out = append(out, r[strings.LastIndex(r, ":")+1:])
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
