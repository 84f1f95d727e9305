/**
 * The dynamic provider behind RedshiftKeyRotation (being completed).
 */
import type * as pulumi from "@pulumi/pulumi";

export const redshiftKeyRotationProvider: pulumi.dynamic.ResourceProvider = {
  async create() {
    throw new Error("RedshiftKeyRotation: provider not yet implemented");
  },
};
