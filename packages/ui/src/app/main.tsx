import { render } from "preact";
import "uplot/dist/uPlot.min.css";
import "./styles.css";
import { applyTheme, followSystemTheme } from "../lib/theme.ts";
import { App } from "./app.tsx";

applyTheme();
followSystemTheme();

render(<App />, document.getElementById("app") as HTMLElement);
