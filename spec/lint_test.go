package spec

import (
	"context"
	"strings"
	"testing"
)

func TestLintShippedSpecIsClean(t *testing.T) {
	if findings := Lint(context.Background(), DefaultName, defaultDocument); len(findings) > 0 {
		for _, f := range findings {
			t.Error(f)
		}
	}
}

// lineOf is the 1-based line of the first needle after the first anchor.
func lineOf(t *testing.T, doc []byte, anchor, needle string) int {
	t.Helper()
	s := string(doc)
	start := strings.Index(s, anchor)
	if start < 0 {
		t.Fatalf("no anchor %q", anchor)
	}
	i := strings.Index(s[start:], needle)
	if i < 0 {
		t.Fatalf("no %q after %q", needle, anchor)
	}
	return 1 + strings.Count(s[:start+i], "\n")
}

func TestLintBreakage(t *testing.T) {
	const createdAt = "  call.created:\n"
	tests := []struct {
		name           string
		old, new       string
		rule           string
		anchor, needle string // the finding's line: needle's first line after anchor
		mention        string
	}{
		{"openapi 3.0", "openapi: 3.1.0", "openapi: 3.0.3",
			RuleVersion, "", "openapi: 3.0.3", "want 3.1"},
		{"yaml syntax", "  title: MiniVoice webhooks", "  title: MiniVoice: webhooks",
			RuleYAML, "", "title: MiniVoice: webhooks", "mapping values"},
		{"duplicate key", "      operationId: callCreated\n", "      operationId: callCreated\n      operationId: again\n",
			RuleLoad, "", "operationId: again", "already defined"},
		{"dangling $ref", "              $ref: '#/components/schemas/Envelope'", "              $ref: '#/components/schemas/Envelop'",
			RuleLoad, "", "$ref: '#/components/schemas/Envelop'", "Envelop"},
		{"kin-openapi: bad parameter location", "      name: X-MiniVoice-Event\n      in: header", "      name: X-MiniVoice-Event\n      in: body",
			RuleOpenAPI, "components:", "    Event:", `"body"`},
		{"kin-openapi: bad schema type", "    Ack:\n      type: object", "    Ack:\n      type: objekt",
			RuleOpenAPI, "    Ack:", "    Ack:", "objekt"},
		{"webhook is a GET too", "  call.completed:\n", "    get:\n      responses:\n        '200':\n          description: ok\n  call.completed:\n",
			RulePost, createdAt, "    get:", "GET"},
		{"webhook without POST", createdAt + "    post:", createdAt + "    put:",
			RulePost, "", createdAt, "no post"},
		{"no JSON body", "        content:\n          application/json:\n            schema:\n              $ref: '#/components/schemas/Envelope'",
			"        content:\n          text/plain:\n            schema:\n              $ref: '#/components/schemas/Envelope'",
			RuleJSONBody, createdAt, "content:", "application/json"},
		{"no example", "            examples:\n              seed:\n                summary: Payload example", "            x-examples:\n              seed:\n                summary: Payload example",
			RuleExample, createdAt, "application/json:", "no example"},
		{"example of the wrong type", "                  variables: {}\n                  data:\n                    event_key: call_123:call.no_answer",
			"                  variables: []\n                  data:\n                    event_key: call_123:call.no_answer",
			RuleExample, "  call.no_answer:", "variables: []", "/variables"},
		{"example missing a required field", "                    status: completed\n                    direction: inbound\n                    from: \"+15551230001\"\n                    to: \"+15551230002\"\n                  variables: {}\n                  data:\n                    event_key: call_123:call.completed",
			"                    status: completed\n                    direction: inbound\n                    from: \"+15551230001\"\n                    to: \"+15551230002\"\n                  variables: {}\n                  data:\n                    event_key_typo: call_123:call.completed",
			RuleExample, "  call.completed:", "                  data:", "/data/event_key"},
		{"example names another event", "                  event: call.gathered", "                  event: call.gathering",
			RuleExampleEvent, "", "event: call.gathering", `want the webhook key "call.gathered"`},
		{"response example wrong", "          example:\n            ok: true", "          example:\n            ok: yes please",
			RuleExample, "", "ok: yes please", "/ok"},
		{"no event header", "      parameters:\n        - $ref: '#/components/parameters/Event'\n", "      parameters:\n",
			RuleEventHeader, createdAt, "parameters:", "X-MiniVoice-Event"},
		{"signature extension incomplete", "  encoding: hex\n", "",
			RuleSignature, "", "x-minivoice-signature:", "lacks encoding"},
		{"signature tolerance unparsable", "  tolerance: 300s", "  tolerance: five minutes",
			RuleSignature, "", "  tolerance: five minutes", "tolerance"},
		{"signature tolerance zero", "  tolerance: 300s", "  tolerance: 0s",
			RuleSignature, "", "  tolerance: 0s", "positive"},
		{"signature algorithm unsupported", "  algorithm: HMAC-SHA256", "  algorithm: HMAC-SHA512",
			RuleSignature, "", "  algorithm: HMAC-SHA512", "only HMAC-SHA256"},
		{"signature encoding unsupported", "  encoding: hex", "  encoding: base64",
			RuleSignature, "", "  encoding: base64", "only hex"},
		{"signature content without body", `  signed-content: "{timestamp}.{body}"`, `  signed-content: "{timestamp}"`,
			RuleSignature, "", "  signed-content:", "{body}"},
		{"signature prefix without equals", `  prefix: "v1="`, `  prefix: "v1:"`,
			RuleSignature, "", "  prefix:", "<version>="},
		{"signature header with a space", "  signature-header: X-MiniVoice-Signature", "  signature-header: X MiniVoice",
			RuleSignature, "", "  signature-header: X MiniVoice", "not an HTTP header name"},
		{"retry extension missing", "x-minivoice-retry:", "x-minivoice-retries:",
			RuleRetry, "", "openapi:", "x-minivoice-retry missing"},
		{"retry schedule backwards", "schedule: [0s, 5s, 30s,", "schedule: [0s, 50s, 30s,",
			RuleRetry, "", "x-minivoice-retry:", "schedule[2]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := mutate(t, tt.old, tt.new)
			anchor := tt.anchor
			if anchor == "" {
				anchor = tt.needle
			}
			want := lineOf(t, doc, anchor, tt.needle)
			findings := Lint(context.Background(), "broken.yaml", doc)
			for _, f := range findings {
				if f.Rule == tt.rule && f.Line == want && strings.Contains(f.Message, tt.mention) && f.File == "broken.yaml" {
					return
				}
			}
			t.Errorf("want a %s finding at line %d mentioning %q; got:", tt.rule, want, tt.mention)
			for _, f := range findings {
				t.Log(f)
			}
		})
	}
}

func TestLintAgreesWithParse(t *testing.T) {
	// Whatever Parse rejects, Lint must report, so a clean lint means the
	// file is usable as --spec.
	for _, edit := range [][2]string{
		{"openapi: 3.1.0", "openapi: 3.0.3"},
		{"  jitter: 0.1\n", ""},
		{"  call.created:\n    post:", "  call.created:\n    put:"},
		{"  title: MiniVoice webhooks", "  title: MiniVoice: webhooks"},
	} {
		doc := mutate(t, edit[0], edit[1])
		_, err := Parse(context.Background(), "x.yaml", doc)
		findings := Lint(context.Background(), "x.yaml", doc)
		if err != nil && len(findings) == 0 {
			t.Errorf("Parse rejects (%v) but Lint is clean", err)
		}
	}
}

func TestLintJSON(t *testing.T) {
	doc := []byte("{\n  \"openapi\": \"3.0.3\",\n  \"info\": {\"title\": \"t\", \"version\": \"1\"},\n  \"paths\": {}\n}\n")
	findings := Lint(context.Background(), "spec.json", doc)
	var version bool
	for _, f := range findings {
		version = version || (f.Rule == RuleVersion && f.Line == 2)
	}
	if !version {
		t.Errorf("want openapi-version at spec.json:2, got %v", findings)
	}
}

func TestFindingString(t *testing.T) {
	for _, tt := range []struct {
		f    Finding
		want string
	}{
		{Finding{File: "a.yaml", Line: 7, Column: 3, Rule: RuleExample, Message: "bad"}, "a.yaml:7: example: bad"},
		{Finding{File: "a.yaml", Rule: RuleLoad, Message: "bad"}, "a.yaml: load: bad"},
	} {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}
