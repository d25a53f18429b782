import { Command } from "commander";
import type { CommandFactory } from "./command.ts";

/** `inspect` subcommand (not implemented yet). */
export const createInspectCommand: CommandFactory = (done) =>
  new Command("inspect").description("(not implemented yet)").action(() => {
    console.error("inspect is not implemented yet");
    done(1);
  });
