package topology_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// grantCase is a plan and a provisioning mode whose policy the grouping
// tests check.
type grantCase struct {
	name string
	plan func(t *testing.T) topology.Plan
	mode topology.Provisioning
}

// fromFile returns the plan of a topology file of testdata, changed by edit.
func fromFile(name string, edit func(*topology.File)) func(t *testing.T) topology.Plan {
	return func(t *testing.T) topology.Plan {
		t.Helper()
		f := readTopology(t, name)
		if edit != nil {
			edit(&f)
		}
		p, err := f.Plan()
		require.NoError(t, err)
		return p
	}
}

// grantCases are the plans of the example's services in every mode: with
// and without tags, tables and a key, the key named by an alias and by its
// id.
func grantCases() []grantCase {
	noKey := func(f *topology.File) { f.Encryption = topology.FileEncryption{} }
	keyID := func(f *topology.File) { f.Encryption.KMSKeyID = "1234abcd-12ab-34cd-56ef-1234567890ab" }
	noTags := func(f *topology.File) { f.Tags = nil }
	plans := []struct {
		name string
		plan func(t *testing.T) topology.Plan
	}{
		{"orders-alias-tags", fromFile("orders.topology.yaml", nil)},
		{"orders-keyid-tags", fromFile("orders.topology.yaml", keyID)},
		{"orders-nokey-tags", fromFile("orders.topology.yaml", noKey)},
		{"orders-nokey", fromFile("orders.topology.yaml", func(f *topology.File) { noKey(f); noTags(f) })},
		{"payments-alias", fromFile("payments.topology.yaml", nil)},
		{"payments-nokey", fromFile("payments.topology.yaml", noKey)},
		{"shop-orders-tables-tags", fromFile("shop-orders.topology.yaml", nil)},
		{"shop-payments-tables", fromFile("shop-payments.topology.yaml", nil)},
		{"audit-5-topics", func(t *testing.T) topology.Plan { return listeningPlan(t, 5) }},
	}
	var out []grantCase
	for _, p := range plans {
		for _, mode := range []topology.Provisioning{topology.ProvisionCreate, topology.ProvisionValidate, topology.ProvisionAssume} {
			out = append(out, grantCase{name: p.name + "-" + mode.String(), plan: p.plan, mode: mode})
		}
	}
	return out
}

func (c grantCase) policy(t *testing.T) topology.IAMPolicy {
	t.Helper()
	pol, err := topology.NewIAMPolicy(c.plan(t), topology.IAMConfig{AccountID: testAccount, Region: "eu-west-1", Provisioning: c.mode})
	require.NoError(t, err)
	return pol
}

// listeningPlan is the plan of a service that publishes n event types, each
// to a topic of its own, and listens to all of them.
func listeningPlan(t *testing.T, n int) topology.Plan {
	t.Helper()
	b := sourceflow.Binding{Service: "audit"}
	for i := range n {
		topic, typ := fmt.Sprintf("audit-events-%02d", i), fmt.Sprintf("audit.Event%02d", i)
		b.Routes = append(b.Routes, sourceflow.Route{Type: typ, Kind: sourceflow.KindEvent, Destination: topic})
		b.Listeners = append(b.Listeners, sourceflow.Listener{Destination: topic, Kind: sourceflow.KindEvent, Types: []string{typ}})
	}
	p, err := topology.New(b, topology.Options{})
	require.NoError(t, err)
	return p
}

// grants expands pol into the (action, resource, condition) triples it
// allows, one a line, sorted and distinct: what IAM grants, whatever the
// statements are.
func grants(t *testing.T, pol topology.IAMPolicy) []string {
	t.Helper()
	var out []string
	for _, s := range pol.Statement {
		require.Equal(t, "Allow", s.Effect, s.Sid)
		cond := ""
		if s.Condition != nil {
			b, err := json.Marshal(s.Condition)
			require.NoError(t, err)
			cond = " " + string(b)
		}
		for _, a := range s.Action {
			for _, r := range s.Resource {
				out = append(out, a+" "+r+cond)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// The policy grants exactly the (action, resource, condition) triples of
// testdata/iam/grants, which the policy of one statement per purpose
// granted: grouping the statements by resource neither adds nor drops a
// permission.
func TestNewIAMPolicy_GrantsWhatThePurposesGrant(t *testing.T) {
	for _, c := range grantCases() {
		t.Run(c.name, func(t *testing.T) {
			got := strings.Join(grants(t, c.policy(t)), "\n") + "\n"
			checkGolden(t, filepath.Join("testdata", "iam", "grants", c.name+".txt"), []byte(got))
		})
	}
}

var sidPattern = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// Each ARN is named in one statement, which grants it every action the
// service needs on it; only the key under an alias condition and the "*"
// grant stand apart. Sids are distinct, alphanumeric and unnumbered (one
// statement per class of resources), actions and resources sorted.
func TestNewIAMPolicy_NamesEachResourceInOneStatement(t *testing.T) {
	for _, c := range grantCases() {
		t.Run(c.name, func(t *testing.T) {
			pol := c.policy(t)
			seen, sids := map[string]string{}, map[string]bool{}
			for _, s := range pol.Statement {
				assert.Regexp(t, sidPattern, s.Sid)
				assert.NotRegexp(t, `[0-9]$`, s.Sid)
				assert.False(t, sids[s.Sid], "Sid %s twice", s.Sid)
				sids[s.Sid] = true
				assert.True(t, slices.IsSorted(s.Action) && slices.IsSorted(s.Resource), s.Sid)
				if s.Condition != nil || slices.Contains(s.Resource, "*") {
					continue
				}
				for _, r := range s.Resource {
					assert.Empty(t, seen[r], "%s is in %s and %s", r, seen[r], s.Sid)
					seen[r] = s.Sid
				}
			}
		})
	}
}

// A service listening to 20 topics, in create mode, gets a policy within
// IAM's quota for a managed policy: 6,144 characters without white space.
func TestNewIAMPolicy_TwentyTopicsFitAManagedPolicy(t *testing.T) {
	pol, err := topology.NewIAMPolicy(listeningPlan(t, 20), topology.IAMConfig{AccountID: testAccount, Region: "eu-west-1"})
	require.NoError(t, err)

	b, err := json.Marshal(pol)
	require.NoError(t, err)

	assert.Less(t, len(b), 6144)
}

// A Plan built by hand may subscribe to a topic missing from its Topics,
// and route commands to a queue missing from its Queues: those need fewer
// actions than the listed ones of their roles, and their statements have
// names of their own.
func TestNewIAMPolicy_NamesWhatAPlanUsesWithoutListingItApart(t *testing.T) {
	p := fromFile("orders.topology.yaml", nil)(t)
	p.Topics = slices.DeleteFunc(p.Topics, func(tp topology.Topic) bool { return tp.Name == "payment-events" })
	p.Queues = slices.DeleteFunc(p.Queues, func(q topology.Queue) bool { return q.Name == "payments.fifo" })
	pol, err := topology.NewIAMPolicy(p, topology.IAMConfig{AccountID: testAccount, Region: "eu-west-1"})
	require.NoError(t, err)

	named := map[string][]string{}
	for _, s := range pol.Statement {
		if strings.HasPrefix(s.Sid, "Subscribed") || strings.HasPrefix(s.Sid, "Command") {
			named[s.Sid] = s.Resource
		}
	}
	arn := func(service, name string) []string {
		return []string{"arn:aws:" + service + ":eu-west-1:" + testAccount + ":" + name}
	}
	assert.Equal(t, map[string][]string{
		"SubscribedUnlistedTopics": arn("sns", "payment-events"),
		"SubscribedTopics":         arn("sns", "order-events"),
		"CommandUnlistedQueues":    arn("sqs", "payments.fifo"),
	}, named)
}

// sidsByResource maps each resource of pol to the Sid of its statement.
func sidsByResource(pol topology.IAMPolicy) map[string]string {
	out := map[string]string{}
	for _, s := range pol.Statement {
		for _, r := range s.Resource {
			out[r] = s.Sid
		}
	}
	return out
}

// A resource's statement keeps its Sid whatever else the plan holds: with
// any one destination of the example's services left out, in every mode,
// each resource both policies name is in a statement of the same Sid, so a
// diff of the policy shows only what changed.
func TestNewIAMPolicy_SidsDoNotDependOnTheRestOfThePlan(t *testing.T) {
	for _, file := range []string{"orders.topology.yaml", "payments.topology.yaml", "shop-orders.topology.yaml", "shop-payments.topology.yaml"} {
		for _, mode := range []topology.Provisioning{topology.ProvisionCreate, topology.ProvisionValidate, topology.ProvisionAssume} {
			cfg := topology.IAMConfig{AccountID: testAccount, Region: "eu-west-1", Provisioning: mode}
			all := iamPolicy(t, readTopology(t, file), mode)
			for i, d := range readTopology(t, file).Destinations {
				t.Run(file+"-"+mode.String()+"-without-"+d.Name, func(t *testing.T) {
					f := readTopology(t, file)
					f.Destinations = slices.Delete(f.Destinations, i, i+1)
					p, err := f.Plan()
					require.NoError(t, err)
					fewer, err := topology.NewIAMPolicy(p, cfg)
					require.NoError(t, err)
					want := sidsByResource(all)
					for r, sid := range sidsByResource(fewer) {
						assert.Equal(t, want[r], sid, r)
					}
				})
			}
		}
	}
}
