import { Command } from "commander";
import type { CommandFactory } from "./command.ts";

/** `steps` subcommand (not implemented yet). */
export const createStepsCommand: CommandFactory = (done) =>
  new Command("steps").description("(not implemented yet)").action(() => {
    console.error("steps is not implemented yet");
    done(1);
  });
