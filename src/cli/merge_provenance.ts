import { Command } from "commander";
import type { CommandFactory } from "./command.ts";

/** `merge-provenance` subcommand (not implemented yet). */
export const createMergeProvenanceCommand: CommandFactory = (done) =>
  new Command("merge-provenance").description("(not implemented yet)").action(() => {
    console.error("merge-provenance is not implemented yet");
    done(1);
  });
