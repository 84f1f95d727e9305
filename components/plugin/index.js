/**
 * The component package's entry point. Pulumi's Node.js language host starts it as
 *   node <@pulumi/pulumi>/cmd/run-plugin <this directory> <engine address>
 * and it serves pulumirpc.ResourceProvider (GetSchema, Construct), printing its port on stdout.
 * It uses the enclosing keyguard package's dependencies and its built dist/.
 */
const { componentProviderHost } = require("@pulumi/pulumi/provider/experimental");
const { EncryptedRedshiftCluster } = require("../../dist/components/encryptedRedshiftCluster/multiLanguage");
const { name } = require("./package.json");

componentProviderHost({ components: [EncryptedRedshiftCluster], name, dirname: __dirname });
