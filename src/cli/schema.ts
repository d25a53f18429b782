import { Command } from "commander";
import type { CommandFactory } from "./command.ts";

/** `schema` subcommand (not implemented yet). */
export const createSchemaCommand: CommandFactory = (done) =>
  new Command("schema").description("(not implemented yet)").action(() => {
    console.error("schema is not implemented yet");
    done(1);
  });
