//go:build integration

package integration

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// The exported CloudFormation template of the example passes cfn-lint, is
// deployed to the emulator's CloudFormation, and then validate finds no
// drift and the example runs on it with provisioning set to validate.
func TestCLIExport_TheExamplesTemplateDeploysAndTheExampleRunsOnItWithValidate(t *testing.T) {
	t.Parallel() // emulator only, names of its own: see TestMain
	bin := buildOrders(t)
	prefix := uniqueName("iac", "-")
	key := "alias/" + prefix + "key"
	dir := t.TempDir()
	example := func(t *testing.T, args ...string) (string, error) {
		t.Helper()
		args = append([]string{"-transport", "aws", "-prefix", prefix, "-kms-key", key, "-visibility-timeout", "20s"}, args...)
		out, err := exec.Command(bin, args...).CombinedOutput()
		t.Logf("$ orders %s\n%s", strings.Join(args, " "), out)
		return string(out), err
	}

	_, err := example(t, "-write-topology", dir)
	require.NoError(t, err)
	files := []string{filepath.Join(dir, "orders.topology.yaml"), filepath.Join(dir, "payments.topology.yaml")}
	template, tf := filepath.Join(dir, "stack.yaml"), filepath.Join(dir, "main.tf")
	_, errOut, code := runCLI(t, "export", "cloudformation", "-f", files[0], "-f", files[1], "-o", template)
	require.Equal(t, 0, code, errOut)
	_, errOut, code = runCLI(t, "export", "terraform", "-f", files[0], "-f", files[1], "-o", tf)
	require.Equal(t, 0, code, errOut)
	text, err := os.ReadFile(tf)
	require.NoError(t, err)
	_, diags := hclsyntax.ParseConfig(text, tf, hcl.InitialPos)
	require.False(t, diags.HasErrors(), "%s", diags.Error())

	cfnLint(t, template, true)

	// Before the stack exists, validate mode refuses to start, naming what is missing.
	out, err := example(t, "-provisioning", "validate", "-n", "1", "-timeout", "1m")
	require.Error(t, err)
	assert.Contains(t, out, prefix+"payments.fifo")

	deployStack(t, strings.TrimSuffix(prefix, "-")+"-stack", template, prefix, key)
	for _, f := range files {
		out, errOut, code := runCLI(t, "validate", "-f", f)
		require.Equal(t, 0, code, errOut)
		assert.Contains(t, out, "No drift")
	}
	out, err = example(t, "-provisioning", "validate", "-n", "20", "-timeout", "2m")
	require.NoError(t, err)
	assert.Regexp(t, `(?m)^orders completed:\s+20$`, out)
}

// A service with filtered subscriptions to a standard and a FIFO topic:
// the template passes cfn-lint, deploys, and validate finds the filter
// policies, the FIFO topic and the FIFO event queue as the plan wants them.
func TestCLIExport_FilteredAndFIFOSubscriptionsDeployWithoutDrift(t *testing.T) {
	t.Parallel() // emulator only, names of its own: see TestMain
	prefix := uniqueName("iacf", "-")
	commands, fifo, standard := prefix+"cmd.fifo", prefix+"shipments.fifo", prefix+"payments"
	file, err := topology.NewFile(sourceflow.Binding{
		Service: prefix + "svc",
		Routes: []sourceflow.Route{
			{Type: "it.Ship", Kind: sourceflow.KindCommand, Destination: commands},
			{Type: "it.Shipped", Kind: sourceflow.KindEvent, Destination: fifo},
			{Type: "it.Returned", Kind: sourceflow.KindEvent, Destination: fifo},
			{Type: "it.Paid", Kind: sourceflow.KindEvent, Destination: standard},
			{Type: "it.Refunded", Kind: sourceflow.KindEvent, Destination: standard},
		},
		Listeners: []sourceflow.Listener{
			{Destination: commands, Kind: sourceflow.KindCommand, Types: []string{"it.Ship"}},
			{Destination: fifo, Kind: sourceflow.KindEvent, Types: []string{"it.Shipped"}},
			{Destination: standard, Kind: sourceflow.KindEvent, Types: []string{"it.Paid"}},
		},
	}, topology.Options{MaxReceiveCount: 3})
	require.NoError(t, err)
	path, template, text := exportTemplate(t, file)
	assert.Contains(t, string(text), "FilterPolicy:")
	assert.Contains(t, string(text), "FifoTopic: true")
	cfnLint(t, template, false)

	deployStack(t, strings.TrimSuffix(prefix, "-")+"-stack", template, prefix, "")
	out, errOut, code := runCLI(t, "validate", "-f", path)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "No drift")
}

// The example's files with its DynamoDB stores both declare the same four
// tables: each export declares each table once, and the template passes
// cfn-lint. The template is not deployed: the emulator's CloudFormation
// creates a DynamoDB table through its own DynamoDB service, which the test
// environment does not run (LocalStack starts with SERVICES=sqs,sns,kms,
// cloudformation; DynamoDB is moto server beside it), so the stack would
// fail with "Service 'dynamodb' is not enabled".
func TestCLIExport_TheExamplesTablesAreDeclaredOnceAndPassCfnLint(t *testing.T) {
	t.Parallel() // emulator only, names of its own: see TestMain
	bin := buildOrders(t)
	prefix := uniqueName("iact", "-")
	tablePrefix := strings.ReplaceAll(prefix, "-", "_")
	dir := t.TempDir()
	args := []string{"-transport", "aws", "-prefix", prefix, "-store", "dynamodb", "-table-prefix", tablePrefix, "-write-topology", dir}
	out, err := exec.Command(bin, args...).CombinedOutput()
	require.NoError(t, err, "$ orders %s\n%s", strings.Join(args, " "), out)
	files := []string{filepath.Join(dir, "orders.topology.yaml"), filepath.Join(dir, "payments.topology.yaml")}
	want := map[string]int{}
	for _, name := range []string{"commands", "entities", "views", "outbox", "idempotency"} {
		want[tablePrefix+name] = 1
	}

	template, tf := filepath.Join(dir, "stack.yaml"), filepath.Join(dir, "main.tf")
	_, errOut, code := runCLI(t, "export", "cloudformation", "-f", files[0], "-f", files[1], "-o", template)
	require.Equal(t, 0, code, errOut)
	text, err := os.ReadFile(template)
	require.NoError(t, err)
	var stack struct {
		Resources map[string]struct {
			Type       string         `yaml:"Type"`
			Properties map[string]any `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	require.NoError(t, yaml.Unmarshal(text, &stack))
	got := map[string]int{}
	for _, r := range stack.Resources {
		if r.Type == "AWS::DynamoDB::Table" {
			got[r.Properties["TableName"].(string)]++
			assert.Equal(t, "PAY_PER_REQUEST", r.Properties["BillingMode"])
		}
	}
	assert.Equal(t, want, got, "CloudFormation")
	cfnLint(t, template, false)

	_, errOut, code = runCLI(t, "export", "terraform", "-f", files[0], "-f", files[1], "-o", tf)
	require.Equal(t, 0, code, errOut)
	text, err = os.ReadFile(tf)
	require.NoError(t, err)
	f, diags := hclsyntax.ParseConfig(text, tf, hcl.InitialPos)
	require.False(t, diags.HasErrors(), "%s", diags.Error())
	got = map[string]int{}
	for _, b := range f.Body.(*hclsyntax.Body).Blocks {
		if b.Type == "resource" && b.Labels[0] == "aws_dynamodb_table" {
			name, diags := b.Body.Attributes["name"].Expr.Value(nil)
			require.False(t, diags.HasErrors(), "%s", diags.Error())
			got[name.AsString()]++
		}
	}
	assert.Equal(t, want, got, "Terraform")
}

// exportTemplate writes file as a topology file and exports it with
// `sourceflow export cloudformation`; it returns the paths of both and the
// template's text.
func exportTemplate(t *testing.T, file topology.File) (path, template string, text []byte) {
	t.Helper()
	path = writeTopology(t, file)
	template = filepath.Join(filepath.Dir(path), "stack.yaml")
	_, errOut, code := runCLI(t, "export", "cloudformation", "-f", path, "-o", template)
	require.Equal(t, 0, code, errOut)
	text, err := os.ReadFile(template)
	require.NoError(t, err)
	return path, template, text
}

// writeTopology writes file as a topology file in a directory of the
// test's own and returns its path.
func writeTopology(t *testing.T, file topology.File) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "svc.topology.yaml")
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, file.Encode(f))
	require.NoError(t, f.Close())
	return path
}

// cfnLint runs cfn-lint, which scripts/test-env.sh installs, on template;
// with checkBroken it first checks, on a copy with a bad property, that the
// linter does report errors.
func cfnLint(t *testing.T, template string, checkBroken bool) {
	t.Helper()
	lint := os.Getenv("SOURCEFLOW_CFN_LINT")
	require.NotEmpty(t, lint, "SOURCEFLOW_CFN_LINT is unset: scripts/test-env.sh start installs cfn-lint and exports it")
	if checkBroken {
		text, err := os.ReadFile(template)
		require.NoError(t, err)
		bad := regexp.MustCompile(`VisibilityTimeout: \d+`)
		require.Regexp(t, bad, string(text))
		broken := filepath.Join(t.TempDir(), "broken.yaml")
		require.NoError(t, os.WriteFile(broken, []byte(bad.ReplaceAllString(string(text), "VisibilityTimeout: soon")), 0o600))
		out, err := exec.Command(lint, broken).CombinedOutput()
		require.Error(t, err, "cfn-lint must fail on a template with a bad property:\n%s", out)
		assert.Contains(t, string(out), "E3012 'soon' is not of type 'integer'")
	}
	out, err := exec.Command(lint, template).CombinedOutput()
	require.NoError(t, err, "cfn-lint %s:\n%s", template, out)
}

// The stack waiters poll the emulator, which completes a stack of these
// tests within seconds, every stackPollMin to stackPollMax (the SDK's
// defaults, 30 s and 120 s, are for AWS).
const stackPollMin, stackPollMax = 200 * time.Millisecond, time.Second

// deployStack creates the stack from template on the emulator and waits
// until it is complete, reporting the failed resources otherwise. At the
// end of the test it deletes the stack and then what the template retains:
// the queues named with prefix and the key of alias (when not empty).
func deployStack(t *testing.T, name, template, prefix, alias string) {
	t.Helper()
	body, err := os.ReadFile(template)
	require.NoError(t, err)
	cfg := awsConfig(t)
	cf := cloudformation.NewFromConfig(cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	_, err = cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String(name), TemplateBody: aws.String(string(body))})
	require.NoError(t, err)
	t.Cleanup(func() { deleteStack(t, cfg, name, prefix, alias) })
	waiter := cloudformation.NewStackCreateCompleteWaiter(cf, func(o *cloudformation.StackCreateCompleteWaiterOptions) {
		o.MinDelay, o.MaxDelay = stackPollMin, stackPollMax
	})
	err = waiter.Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)}, 4*time.Minute)
	if err != nil {
		events, evErr := cf.DescribeStackEvents(context.Background(), &cloudformation.DescribeStackEventsInput{StackName: aws.String(name)})
		var failed []string
		if evErr == nil {
			for _, e := range events.StackEvents {
				if e.ResourceStatus == cfntypes.ResourceStatusCreateFailed {
					failed = append(failed, aws.ToString(e.LogicalResourceId)+": "+aws.ToString(e.ResourceStatusReason))
				}
			}
		}
		require.NoError(t, errors.Join(err, evErr), "stack %s failed: %s", name, strings.Join(failed, "; "))
	}
}

// deleteStack deletes the stack, waits for it, and removes the retained
// queues and key, so the shared emulator keeps nothing of the test.
func deleteStack(t *testing.T, cfg aws.Config, name, prefix, alias string) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cf := cloudformation.NewFromConfig(cfg)
	_, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String(name)})
	if err == nil {
		err = cloudformation.NewStackDeleteCompleteWaiter(cf, func(o *cloudformation.StackDeleteCompleteWaiterOptions) {
			o.MinDelay, o.MaxDelay = stackPollMin, stackPollMax
		}).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)}, 2*time.Minute)
	}
	assert.NoError(t, err, "delete stack %s", name)
	q := sqs.NewFromConfig(cfg)
	list, err := q.ListQueues(ctx, &sqs.ListQueuesInput{QueueNamePrefix: aws.String(prefix)})
	if assert.NoError(t, err) {
		for _, url := range list.QueueUrls {
			_, err := q.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(url)})
			assert.NoError(t, err, "delete retained queue %s", url)
		}
	}
	if alias == "" {
		return
	}
	k := kms.NewFromConfig(cfg)
	key, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(alias)})
	if assert.NoError(t, err, "the retained key of %s", alias) {
		_, err = k.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String(alias)})
		assert.NoError(t, err)
		_, err = k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: key.KeyMetadata.KeyId, PendingWindowInDays: aws.Int32(7)})
		if !keyPendingDeletion(err) { // the emulator may schedule a retained key's deletion with the stack
			assert.NoError(t, err)
		}
	}
}

// keyPendingDeletion reports whether err is KMS's refusal to schedule the
// deletion of a key whose deletion is scheduled already.
func keyPendingDeletion(err error) bool {
	var invalid *kmstypes.KMSInvalidStateException
	return errors.As(err, &invalid) && strings.Contains(invalid.ErrorMessage(), "pending deletion")
}
