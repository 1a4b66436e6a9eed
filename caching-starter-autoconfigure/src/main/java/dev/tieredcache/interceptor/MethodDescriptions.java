package dev.tieredcache.interceptor;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Short, readable method names for error messages: {@code UserService.find(long, long)}.
 */
final class MethodDescriptions {

	private MethodDescriptions() {
	}

	static String describe(Method method) {
		return method.getDeclaringClass().getSimpleName() + "." + method.getName() + Arrays
			.stream(method.getParameterTypes())
			.map(Class::getSimpleName)
			.collect(Collectors.joining(", ", "(", ")"));
	}

}
