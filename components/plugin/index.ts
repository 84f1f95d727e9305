/**
 * What the schema is inferred from: Pulumi's analyzer reads package.json's "main" (index.js) as this
 * file, and follows it to the declarations of the class the package serves (built into dist/ by
 * `npm run build`, as shipped in the npm package). index.js serves the same class.
 */
export { EncryptedRedshiftCluster } from "../../dist/components/encryptedRedshiftCluster/multiLanguage";
