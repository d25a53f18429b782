import { Command } from "commander";
import type { CommandFactory } from "./command.ts";

/** `run` subcommand (not implemented yet). */
export const createRunCommand: CommandFactory = (done) =>
  new Command("run").description("(not implemented yet)").action(() => {
    console.error("run is not implemented yet");
    done(1);
  });
