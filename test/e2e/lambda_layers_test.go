package e2e

import (
	"strings"
	"testing"
)

// TestBoto3LambdaLayer publishes a layer with boto3, creates a function
// that imports the layer's module unmodified, invokes it and downloads the
// layer from its Content.Location.
func TestBoto3LambdaLayer(t *testing.T) {
	requireTool(t, "python3", "-c", "import boto3")
	k := startKiri(t, "")
	role := lambdaRole(t, k)
	out := python(t, k, `
import boto3, io, json, zipfile, urllib.request
def zipped(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w') as z:
        for name, body in files.items():
            z.writestr(name, body)
    return buf.getvalue()
lam = boto3.client('lambda')
layer = lam.publish_layer_version(LayerName='greeting', Description='greets',
    Content={'ZipFile': zipped({'python/greeting.py': 'def greet(n):\n    return "hello " + n\n'})},
    CompatibleRuntimes=['python3.12'])
assert layer['Version'] == 1, layer
lam.create_function(FunctionName='greeter', Runtime='python3.12', Role='`+role+`', Handler='app.handler',
    Code={'ZipFile': zipped({'app.py': 'import greeting\ndef handler(event, context):\n    return greeting.greet(event["name"])\n'})},
    Layers=[layer['LayerVersionArn']])
lam.get_waiter('function_active_v2').wait(FunctionName='greeter')
cfg = lam.get_function_configuration(FunctionName='greeter')
assert cfg['Layers'][0]['Arn'] == layer['LayerVersionArn'] and cfg['Layers'][0]['CodeSize'] == layer['Content']['CodeSize'], cfg['Layers']
r = lam.invoke(FunctionName='greeter', Payload=json.dumps({'name': 'kiri'}))
print(r['StatusCode'], r['Payload'].read().decode())
body = urllib.request.urlopen(layer['Content']['Location']).read()
print(len(body) == layer['Content']['CodeSize'])
layers = lam.list_layers()['Layers']
print(layers[0]['LayerName'], layers[0]['LatestMatchingVersion']['Version'])
try:
    lam.create_function(FunctionName='broken', Runtime='python3.12', Role='`+role+`', Handler='app.handler',
        Code={'ZipFile': zipped({'app.py': ''})}, Layers=[layer['LayerArn'] + ':9'])
except lam.exceptions.InvalidParameterValueException as e:
    print(e.response['Error']['Message'])
`)
	want := `200 "hello kiri"
True
greeting 1
Layer version arn:aws:lambda:us-east-1:000000000000:layer:greeting:9 does not exist.`
	if strings.TrimSpace(out) != want {
		t.Fatalf("boto3:\n%s\nwant:\n%s", out, want)
	}
}
